"""The RPA server (the operations team's FastAPI service) on the shared base client. The only module that
knows its wire format: Portuguese payload keys in, typed records out.

A 503 with Retry-After on a start means every robot is busy: `RpaBusy`, back-pressure, never a failed
attempt. Starts are never retried by the client (a POST that may have reached the server must not be sent
twice: the monitor decides); reads are, as the base client retries idempotent requests."""

import datetime
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from orchestration.exceptions import OrchestraError
from orchestration.outbound import BaseClient, ClientError, LogFn, MalformedResponseError, ServerError
from orchestration.simulators import simulator_url

JOB_STATUSES = ("queued", "running", "completed", "failed")
TERMINAL = ("completed", "failed")
PDF_MAGIC = b"%PDF-"
_LEVELS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARNING", "WARN": "WARNING", "ERROR": "ERROR"}


class RpaNotConfigured(OrchestraError):
    """No RPA_API_URL (and no demo simulator)."""


class RpaBusy(OrchestraError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"servidor RPA ocupado; nova tentativa em {retry_after:.0f} s")
        self.retry_after = retry_after


class RpaValidationError(OrchestraError):
    """422: the server refused the body; `problems` are its FastAPI `detail` entries, as 'loc: msg'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("o servidor RPA recusou os dados: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DownloadPayload:
    """Body of `POST /executar/{operadora}`."""

    cnpj: str
    razao: str
    operadora: str
    nome_filtro: str
    unidade: str
    servico: str
    login: str
    senha: str
    cpf: str
    mes_ano: str  # MM/YYYY


@dataclass(frozen=True)
class AutomacaoPayloadSat:
    """Body of `POST /executar/sat`, named as the RPA server's pydantic model."""

    cnpj: str
    razao: str
    operadora: str
    nome_filtro: str
    unidade: str
    servico: str
    dados_sat: str
    nome_arquivo: str  # the invoice's object key in the shared bucket
    data_vencimento: str  # YYYY-MM-DD

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.data_vencimento):
            raise ValueError("data_vencimento must be YYYY-MM-DD")
        if not self.nome_arquivo:
            raise ValueError("nome_arquivo is required")


@dataclass(frozen=True)
class RpaJobStarted:
    job_id: str
    status: str


@dataclass(frozen=True)
class DownloadResult:
    invoice_url: str
    due_date: datetime.date | None
    amount: Decimal | None


@dataclass(frozen=True)
class SatResult:
    protocol: str


@dataclass(frozen=True)
class RpaJob:
    job_id: str
    status: str
    error: str
    download: DownloadResult | None
    sat: SatResult | None
    raw_result: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class RpaLogLine:
    timestamp: str
    level: str
    message: str


@dataclass(frozen=True)
class RpaLogPage:
    lines: list[RpaLogLine]
    next_offset: int


def _problems(detail: Any) -> list[str]:
    if isinstance(detail, list):
        found = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(part) for part in item.get("loc", []) if part != "body")
                found.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            else:
                found.append(str(item))
        return found
    return [str(detail)]


class RpaClient(BaseClient):
    service_name = "rpa"

    def __init__(self, *, base_url: str, token: str, log: LogFn | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", (5.0, 30.0))
        kwargs.setdefault("max_attempts", 3)
        super().__init__(base_url=base_url, secrets=[token] if token else [], log=log, **kwargs)
        self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_settings(cls, **kwargs: Any) -> "RpaClient":
        base_url = settings.RPA_API_URL or simulator_url("RPA_SIMULATOR_PORT", 8102)
        if not base_url:
            raise RpaNotConfigured("RPA_API_URL não está configurada.")
        token = settings.RPA_API_TOKEN or ("demo" if not settings.RPA_API_URL else "")
        return cls(base_url=base_url, token=token, **kwargs)

    def health(self) -> bool:
        body = self.get_json("/health")
        return isinstance(body, dict) and body.get("status") == "ok"

    def start_download(self, payload: DownloadPayload) -> RpaJobStarted:
        return self._start(f"/executar/{payload.operadora.lower()}", asdict(payload))

    def start_sat(self, payload: AutomacaoPayloadSat) -> RpaJobStarted:
        return self._start("/executar/sat", asdict(payload))

    def _start(self, path: str, body: dict[str, Any]) -> RpaJobStarted:
        try:
            response = self.request("POST", path, json=body, retry=False)
        except ServerError as error:
            if error.status == 503:
                raise RpaBusy(error.retry_after if error.retry_after is not None else 5.0) from error
            raise
        except ClientError as error:
            if error.status == 422:
                raise RpaValidationError(_problems(self._detail(error.body_excerpt))) from error
            raise
        data = self._json(response, path)
        job_id = data.get("job_id") if isinstance(data, dict) else None
        if not isinstance(job_id, str) or not job_id:
            raise self._malformed(path, "sem job_id")
        return RpaJobStarted(job_id=job_id, status=str(data.get("status", "")))

    def job(self, job_id: str) -> RpaJob:
        data = self.get_json(f"/jobs/{job_id}")
        if not isinstance(data, dict) or data.get("status") not in JOB_STATUSES:
            raise self._malformed(f"/jobs/{job_id}", "situação desconhecida")
        raw = data.get("resultado")
        result: dict[str, Any] = raw if isinstance(raw, dict) else {}
        download = sat = None
        if data["status"] == "completed" and "url_fatura" in result:
            download = DownloadResult(
                invoice_url=str(result["url_fatura"]),
                due_date=self._date(result.get("data_vencimento")),
                amount=self._amount(result.get("valor")),
            )
        elif data["status"] == "completed" and "protocolo" in result:
            sat = SatResult(protocol=str(result["protocolo"]))
        return RpaJob(
            job_id=job_id,
            status=data["status"],
            error=str(data.get("erro") or ""),
            download=download,
            sat=sat,
            raw_result=result,
        )

    def logs(self, job_id: str, offset: int) -> RpaLogPage:
        data = self.get_json(f"/jobs/{job_id}/logs", params={"offset": offset})
        if not isinstance(data, dict) or not isinstance(data.get("logs"), list):
            raise self._malformed(f"/jobs/{job_id}/logs", "sem logs")
        lines = [
            RpaLogLine(
                timestamp=str(item.get("timestamp", "")),
                level=_LEVELS.get(str(item.get("level", "INFO")).upper(), "INFO"),
                message=str(item.get("message", "")),
            )
            for item in data["logs"]
            if isinstance(item, dict)
        ]
        next_offset = data.get("next_offset")
        if not isinstance(next_offset, int) or next_offset < offset:
            next_offset = offset + len(lines)
        return RpaLogPage(lines=lines, next_offset=next_offset)

    def fetch_invoice(self, url: str, max_bytes: int) -> bytes:
        """The invoice at `url_fatura`, with the same token. Not checked for being a PDF here (the
        pipeline's PDF check is one function, shared with manual uploads)."""
        response = self.request("GET", url, headers={"Accept": "application/pdf"})
        content = response.content
        if len(content) > max_bytes:
            raise self._malformed(url, f"arquivo maior que {max_bytes} bytes")
        return content

    # --- parsing ---------------------------------------------------------------------------------

    @staticmethod
    def _detail(excerpt: str) -> Any:
        import json

        try:
            return json.loads(excerpt).get("detail", excerpt)
        except (ValueError, AttributeError):
            return excerpt

    def _json(self, response: Any, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._malformed(path, "o corpo não é JSON válido") from None

    def _malformed(self, path: str, detail: str) -> MalformedResponseError:
        return MalformedResponseError(service=self.service_name, method="GET", url=self.url_for(path), detail=detail)

    @staticmethod
    def _date(value: Any) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    @staticmethod
    def _amount(value: Any) -> Decimal | None:
        try:
            return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
        except (InvalidOperation, ValueError):
            return None
