"""A fake of the operations team's RPA server (a FastAPI service), speaking the contract of README's
"RPA server" section on a real HTTP server.

Robots: `robots` jobs run at once; a POST /executar/... when all are busy answers 503 with Retry-After.
A job is queued for `queue_seconds`, runs for `job_seconds` writing Portuguese log lines spread over that
time, then ends completed (download: `url_fatura` on this server, due date, amount; SAT: `protocolo`) or as
its outcome says: "fail" (failed with an error), "hang" (runs forever, keeping its robot), "not_pdf" (the
invoice URL serves HTML). Outcomes are given per CNPJ as a list used one job at a time (`outcomes`), or for
every job (`default_outcome`). Faults: wrong token → 401 {"detail"}, bad body → 422 {"detail": [...]} as
FastAPI writes it, unknown job → 404, `post_delay_seconds` (the job exists before the slow answer leaves).

Counters let tests prove what the client did: `requests` (every request), `log_served[(job_id, index)]`
(how often each log line was sent: never more than once if the client reads from its cursor).

In pytest: fake = RpaFake(robots=2); with FakeServer(fake.handle) as server: ...
Standalone: python -m tests.fakes.rpa --port 8102 --robots 10 --job-seconds 0.2
"""

import argparse
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

DEFAULT_TOKEN = "rpa-test-token"
CARRIERS = ("oi", "vivo", "embratel", "digitalnet")
DOWNLOAD_FIELDS = (
    "cnpj",
    "razao",
    "operadora",
    "nome_filtro",
    "unidade",
    "servico",
    "login",
    "senha",
    "cpf",
    "mes_ano",
)
SAT_FIELDS = ("cnpj", "razao", "operadora", "nome_filtro", "unidade", "servico", "dados_sat", "nome_arquivo")
_CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_MONTH = re.compile(r"(0[1-9]|1[0-2])/\d{4}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

DOWNLOAD_STEPS = (
    "Iniciando robô da operadora {operadora}",
    "Abrindo o portal da operadora",
    "Login realizado com o usuário {login}",
    "Aplicando filtro '{nome_filtro}' na unidade {unidade}",
    "Procurando a fatura de {mes_ano}",
    "Fatura encontrada; baixando o PDF",
    "Download concluído",
)
SAT_STEPS = (
    "Iniciando robô do SAT",
    "Autenticando no SAT",
    "Localizando o cadastro de {razao}",
    "Enviando o arquivo {nome_arquivo}",
    "Conferindo o vencimento {data_vencimento}",
    "Envio confirmado pelo SAT",
)


def pdf_bytes(title: str) -> bytes:
    """A small, valid one-page PDF (header, objects, xref, trailer) naming `title`."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 14 Tf 72 720 Td (Fatura {text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass
class FakeJob:
    id: str
    kind: str  # "download" or "sat"
    payload: dict[str, Any]
    outcome: str
    created: float
    queue_seconds: float
    job_seconds: float
    lines: list[tuple[float, str, str]] = field(default_factory=list)  # (at, level, message)

    @property
    def starts(self) -> float:
        return self.created + self.queue_seconds

    @property
    def ends(self) -> float:
        return float("inf") if self.outcome == "hang" else self.starts + self.job_seconds

    def status(self, now: float) -> str:
        if now < self.starts:
            return "queued"
        if now < self.ends:
            return "running"
        return "failed" if self.outcome == "fail" else "completed"


class RpaFake:
    def __init__(
        self,
        *,
        token: str | None = DEFAULT_TOKEN,
        robots: int = 4,
        job_seconds: float = 2.0,
        queue_seconds: float = 0.05,
        retry_after: float = 1.0,
        default_outcome: str = "ok",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token  # None: any non-empty Bearer token (demo)
        self.robots = robots
        self.job_seconds = job_seconds
        self.queue_seconds = queue_seconds
        self.retry_after = retry_after
        self.default_outcome = default_outcome
        self.outcomes: dict[str, list[str]] = {}
        self.post_delay_seconds = 0.0
        self.clock = clock
        self.jobs: dict[str, FakeJob] = {}
        self.requests: list[tuple[str, str, str, int, float]] = []  # (method, path, raw query, status, at)
        self.log_served: Counter[tuple[str, int]] = Counter()
        self.busy_answers = 0
        self.max_running = 0
        self._lock = threading.RLock()

    # --- what tests read -------------------------------------------------------------------------

    def count(self, method: str, prefix: str) -> int:
        with self._lock:
            return sum(1 for m, path, *_ in self.requests if m == method and path.startswith(prefix))

    def jobs_for(self, cnpj: str, kind: str = "download") -> list[FakeJob]:
        with self._lock:
            return [job for job in self.jobs.values() if job.payload.get("cnpj") == cnpj and job.kind == kind]

    def poll_times(self, job_id: str) -> list[float]:
        """When the status of `job_id` was asked for."""
        with self._lock:
            return [at for m, path, _, _, at in self.requests if m == "GET" and path == f"/jobs/{job_id}"]

    def running(self, now: float | None = None) -> int:
        now = self.clock() if now is None else now
        return sum(1 for job in self.jobs.values() if job.ends > now)

    # --- the server ------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        response = self._route(request)
        with self._lock:
            self.requests.append((request.method, request.path, request.raw_query, response.status, self.clock()))
        return response

    def _authorised(self, request: FakeRequest) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value:
            return False
        return self.token is None or value == self.token

    def _route(self, request: FakeRequest) -> FakeResponse:
        path = request.path.rstrip("/") or "/"
        if path == "/health" and request.method == "GET":
            return FakeResponse.json({"status": "ok"})
        if not self._authorised(request):
            return FakeResponse.json({"detail": "Token inválido ou ausente"}, 401, {"WWW-Authenticate": "Bearer"})
        parts = path.strip("/").split("/")
        if request.method == "POST" and len(parts) == 2 and parts[0] == "executar":
            return self._start(request, parts[1])
        if request.method == "GET" and len(parts) == 2 and parts[0] == "jobs":
            return self._status(parts[1], request)
        if request.method == "GET" and len(parts) == 3 and parts[0] == "jobs" and parts[2] == "logs":
            return self._logs(parts[1], request)
        if request.method == "GET" and len(parts) == 2 and parts[0] == "faturas":
            return self._invoice(parts[1].removesuffix(".pdf"))
        return FakeResponse.json({"detail": "Not Found"}, 404)

    @staticmethod
    def _error(loc: list[Any], msg: str, kind: str = "value_error") -> dict[str, Any]:
        return {"loc": loc, "msg": msg, "type": kind}

    def _validate(self, body: Any, target: str) -> list[dict[str, Any]]:
        if not isinstance(body, dict):
            return [self._error(["body"], "Input should be a valid dictionary", "dict_type")]
        names = SAT_FIELDS + ("data_vencimento",) if target == "sat" else DOWNLOAD_FIELDS
        errors = [
            self._error(["body", name], "Field required", "missing")
            for name in names
            if not isinstance(body.get(name), str)
        ]
        if errors:
            return errors
        if not _CNPJ.fullmatch(body["cnpj"]):
            errors.append(self._error(["body", "cnpj"], "CNPJ deve ter 14 caracteres sem pontuação"))
        if target == "sat":
            if not _DAY.fullmatch(body["data_vencimento"]):
                errors.append(self._error(["body", "data_vencimento"], "Data deve estar no formato YYYY-MM-DD"))
            if not body["nome_arquivo"]:
                errors.append(self._error(["body", "nome_arquivo"], "String should have at least 1 character"))
        else:
            if target not in CARRIERS:
                errors.append(self._error(["path", "operadora"], f"Operadora desconhecida: {target}"))
            elif body["operadora"].lower() != target:
                errors.append(self._error(["body", "operadora"], "Operadora do corpo difere da rota"))
            if not _MONTH.fullmatch(body["mes_ano"]):
                errors.append(self._error(["body", "mes_ano"], "mes_ano deve estar no formato MM/YYYY"))
        return errors

    def _start(self, request: FakeRequest, target: str) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return FakeResponse.json({"detail": [self._error(["body"], "JSON decode error", "json_invalid")]}, 422)
        errors = self._validate(body, target)
        if errors:
            return FakeResponse.json({"detail": errors}, 422)
        with self._lock:
            now = self.clock()
            if self.running(now) >= self.robots:
                self.busy_answers += 1
                return FakeResponse.json(
                    {"detail": "Todos os robôs estão ocupados"}, 503, {"Retry-After": f"{self.retry_after:g}"}
                )
            queued = self.outcomes.get(body["cnpj"])
            outcome = queued.pop(0) if queued else self.default_outcome
            kind = "sat" if target == "sat" else "download"
            job = FakeJob(uuid.uuid4().hex, kind, body, outcome, now, self.queue_seconds, self.job_seconds)
            steps = SAT_STEPS if kind == "sat" else DOWNLOAD_STEPS
            if outcome == "fail":
                steps = steps[:3]
            for index, step in enumerate(steps):
                at = job.starts + job.job_seconds * index / max(1, len(steps))
                job.lines.append((at, "INFO", step.format(**{**body, "senha": "***"})))
            if outcome == "fail":
                job.lines.append(
                    (job.starts + job.job_seconds * 0.9, "ERROR", "Falha no login: portal recusou a senha")
                )
            self.jobs[job.id] = job
            self.max_running = max(self.max_running, self.running(now))
        return FakeResponse(
            200,
            b'{"job_id": "' + job.id.encode() + b'", "status": "queued"}',
            {"Content-Type": "application/json"},
            delay_seconds=self.post_delay_seconds,
        )

    def _result(self, job: FakeJob, request: FakeRequest) -> dict[str, Any] | None:
        if job.status(self.clock()) != "completed":
            return None
        if job.kind == "sat":
            return {"protocolo": f"SAT-{job.id[:10].upper()}"}
        month, year = (int(part) for part in job.payload["mes_ano"].split("/"))
        due = date(year, month, 1) + timedelta(days=19)
        cents = int(job.payload["cnpj"][-6:].translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0" * 26)) or 0)
        host = request.headers.get("host", "127.0.0.1")
        return {
            "url_fatura": f"http://{host}/faturas/{job.id}.pdf",
            "data_vencimento": due.isoformat(),
            "valor": f"{100 + cents % 90000 / 100:.2f}",
        }

    def _status(self, job_id: str, request: FakeRequest) -> FakeResponse:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return FakeResponse.json({"detail": "Job não encontrado"}, 404)
            status = job.status(self.clock())
            error = "Falha no login: portal recusou a senha" if status == "failed" else None
            return FakeResponse.json(
                {"job_id": job.id, "status": status, "resultado": self._result(job, request), "erro": error}
            )

    def _logs(self, job_id: str, request: FakeRequest) -> FakeResponse:
        try:
            offset = int(request.query.get("offset") or 0)
        except ValueError:
            return FakeResponse.json(
                {"detail": [self._error(["query", "offset"], "Input should be a valid integer", "int_parsing")]}, 422
            )
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return FakeResponse.json({"detail": "Job não encontrado"}, 404)
            now = self.clock()
            visible = [line for line in job.lines if line[0] <= now]
            page = visible[offset:]
            for index in range(offset, offset + len(page)):
                self.log_served[(job_id, index)] += 1
            wall = datetime.now(UTC)
            logs = [
                {"timestamp": (wall - timedelta(seconds=now - at)).isoformat(), "level": level, "message": message}
                for at, level, message in page
            ]
            return FakeResponse.json({"logs": logs, "next_offset": offset + len(page)})

    def _invoice(self, job_id: str) -> FakeResponse:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None or job.kind != "download":
            return FakeResponse.json({"detail": "Not Found"}, 404)
        if job.outcome == "not_pdf":
            return FakeResponse(200, "<html><body>Sessão expirada</body></html>", {"Content-Type": "text/html"})
        title = f"{job.payload['razao']} {job.payload['mes_ano']}"
        return FakeResponse(200, pdf_bytes(title), {"Content-Type": "application/pdf"})


def demo_handler() -> Callable[[FakeRequest], FakeResponse]:
    """`make run`'s simulator: three robots, jobs of about eight seconds, one download in six fails once."""
    fake = RpaFake(token=None, robots=3, job_seconds=8.0, queue_seconds=0.5, retry_after=3)
    original = fake._start
    counter = {"n": 0}

    def start(request: FakeRequest, target: str) -> FakeResponse:
        if target != "sat":
            counter["n"] += 1
            if counter["n"] % 6 == 0:
                body = request.json() if request.body else {}
                if isinstance(body, dict) and body.get("cnpj"):
                    fake.outcomes.setdefault(body["cnpj"], []).append("fail")
        return original(request, target)

    fake._start = start  # type: ignore[method-assign]
    return fake.handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--robots", type=int, default=4)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    fake = RpaFake(token=args.token, robots=args.robots, job_seconds=args.job_seconds)
    server = FakeServer(fake.handle, port=args.port)
    print(f"RPA fake on {server.url} (token {args.token!r}, {args.robots} robots)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
