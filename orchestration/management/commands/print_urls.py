"""`manage.py print_urls [--wait]`: the addresses of a running Orquestra, once its web process answers.

With `--wait` (the `urls` process of Procfile.dev) it polls the web process, prints the addresses, and then
stays alive until SIGINT/SIGTERM, because honcho stops every process as soon as one of them exits.
"""

import http.client
import json
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

# Written by `python -m tests.fakes.serve` (the `simulators` process); the product never imports tests.
SIMULATORS_STATE_FILE = "simulators.json"
PAGES = [
    ("console", "home"),
    ("health grid", "console:health"),
    ("admin", "admin:index"),
    ("api docs", "swagger-ui"),
    ("api schema", "schema"),
    ("healthz", "healthz"),
    ("metrics", "metrics"),
]


def web_answers(host: str, port: int, path: str) -> bool:
    """True once anything answers HTTP there: a 503 from /healthz still means the web process is up."""
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status > 0
    except OSError:
        return False
    finally:
        connection.close()


def running_simulators(wait_seconds: float) -> dict[str, str]:
    path = settings.VAR_DIR / SIMULATORS_STATE_FILE
    deadline = time.monotonic() + wait_seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


class Command(BaseCommand):
    help = _("Mostra os endereços do Orquestra; com --wait, espera o servidor web responder e continua ativo.")

    def add_arguments(self, parser: CommandParser) -> None:
        default_port = int(os.environ.get("WEB_PORT") or os.environ.get("PORT") or 8000)
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--wait", action="store_true", help=_("espera o servidor web e continua ativo"))

    def handle(self, *args: Any, port: int, host: str, wait: bool, **options: Any) -> None:
        stop = threading.Event()
        if wait:

            def _stop(signum: int, frame: FrameType | None) -> None:
                stop.set()

            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
            if not self._wait_for_web(host, port, stop):
                return
        self._print(host, port, answered=wait)
        if wait:
            while not stop.wait(3600):
                pass

    def _wait_for_web(self, host: str, port: int, stop: threading.Event) -> bool:
        probe = self._path("healthz") or "/"
        started = time.monotonic()
        next_note = 30.0
        while not stop.is_set():
            if web_answers(host, port, probe):
                return True
            if time.monotonic() - started > next_note:
                self.stdout.write(_("Aguardando o servidor web em %(host)s:%(port)d…") % {"host": host, "port": port})
                next_note += 30
            stop.wait(0.25)
        return False

    @staticmethod
    def _path(name: str) -> str | None:
        try:
            return reverse(name)
        except NoReverseMatch:
            return None

    def _print(self, host: str, port: int, answered: bool) -> None:
        base = f"http://{host}:{port}"
        rows = [(label, base + path) for label, name in PAGES if (path := self._path(name)) is not None]
        if settings.DEMO_SIMULATORS:
            # The simulators process starts alongside web; give it a moment to write its state file.
            simulators = running_simulators(wait_seconds=5.0 if answered else 0.0)
            rows += [(f"simulator {name}", url) for name, url in simulators.items()]
        width = max(len(label) for label, _url in rows)
        lines = [_("Orquestra está no ar:") if answered else _("Endereços do Orquestra:")]
        lines += [f"  {label.ljust(width)}  {url}" for label, url in rows]
        lines.append(
            _(
                "Entre com o administrador criado por ensure_admin (a senha gerada aparece uma única vez, acima; "
                "para trocá-la: .venv/bin/python manage.py changepassword <e-mail>)."
            )
        )
        if answered:
            lines.append(_("Ctrl-C encerra todos os processos."))
        self.stdout.write("\n".join(lines))
