"""Production logs: one JSON object a line (time, level, logger, message), from Django, our apps and the
Celery worker (pool children included); LOG_FORMAT=text switches back; configured secrets never printed."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.harness.processes import PROJECT_DIR, redis_broker_purge, send_task, wait_until
from tests.harness.procfile import PRODUCTION_SECRETS, ProcfileProcess, production_env

pytestmark = pytest.mark.services

SHUTDOWN_NOTICE = re.compile(r"^worker: (Warm|Cold) shutdown \(\w+\)$")

SCRIPT = """
import logging, django
django.setup()
from django.conf import settings
from django.test import Client
logging.getLogger("orchestration.services.example").info("execução %s pronta", 42, extra={"execution_id": 42})
logging.getLogger("integrations.kommo").warning("token %s recusado", settings.METRICS_TOKEN)
try:
    raise RuntimeError("falhou com " + settings.SECRET_KEY)
except RuntimeError:
    logging.getLogger("calendar_sync.sync").exception("sincronização falhou")
Client().get("/nao-existe?secret=segredo-do-webhook")
"""


def run_script(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


def json_lines(lines: list[str]) -> list[dict]:
    records = []
    for line in lines:
        record = json.loads(line)  # every line is one object
        assert {"time", "level", "logger", "message"} <= set(record), record
        assert datetime.fromisoformat(record["time"]).utcoffset().total_seconds() == 0
        records.append(record)
    return records


@pytest.fixture
def env(subprocess_env: dict[str, str]) -> dict[str, str]:
    return production_env(
        subprocess_env,
        ALLOWED_HOSTS="testserver,127.0.0.1",
        HTTPS_BEHIND_PROXY="false",
        METRICS_TOKEN="token-de-metricas-123",
    )


def test_production_logs_are_one_json_object_per_line(env: dict[str, str]) -> None:
    lines = run_script(env)
    records = json_lines(lines)

    by_logger = {record["logger"]: record for record in records}
    ready = by_logger["orchestration.services.example"]
    assert ready["level"] == "INFO" and ready["message"] == "execução 42 pronta" and ready["execution_id"] == 42
    failed = by_logger["calendar_sync.sync"]
    assert failed["level"] == "ERROR" and "RuntimeError" in failed["exc_info"]
    not_found = by_logger["django.request"]
    assert not_found["level"] == "WARNING" and not_found["status_code"] == 404
    assert "request" not in not_found  # its repr would carry the query string


def test_configured_secrets_never_reach_the_log(env: dict[str, str]) -> None:
    output = "\n".join(run_script(env))

    assert "token-de-metricas-123" not in output
    assert PRODUCTION_SECRETS["SECRET_KEY"] not in output
    assert "segredo-do-webhook" not in output
    assert output.count("[redacted]") >= 2


def test_log_format_text_switches_back(env: dict[str, str]) -> None:
    lines = run_script({**env, "LOG_FORMAT": "text"})

    assert any("INFO orchestration.services.example execução 42 pronta" in line for line in lines)
    assert not any(line.startswith("{") for line in lines)


def test_an_unknown_log_format_refuses_to_start(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_DIR, env={**env, "LOG_FORMAT": "xml"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0 and "LOG_FORMAT" in done.stderr


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[ProcfileProcess]:
    redis_broker_purge(env["CELERY_BROKER_URL"])
    process = ProcfileProcess("worker", {**env, "CELERY_CONCURRENCY": "1"}, tmp_path / "worker.log")
    try:
        yield process
    finally:
        process.stop()
        redis_broker_purge(env["CELERY_BROKER_URL"])


@pytest.mark.e2e
def test_the_celery_worker_logs_json_too(worker: ProcfileProcess, env: dict[str, str]) -> None:
    worker.wait_for_log(' ready."', timeout=60)
    task_id = send_task(env["CELERY_BROKER_URL"], "orchestration.smoke_test")
    worker.wait_for_log(f"{task_id}] succeeded", timeout=30)
    worker.stop()

    # Celery's signal handler writes its shutdown notice with print(), not a logger: the one line that is not JSON.
    lines = [line for line in worker.log().splitlines() if line.strip() and not SHUTDOWN_NOTICE.match(line)]
    records = json_lines(lines)

    loggers = {record["logger"] for record in records}
    assert "celery.apps.worker" in loggers or "celery.worker.consumer.connection" in loggers
    succeeded = next(record for record in records if "succeeded" in record["message"])
    assert succeeded["logger"] == "celery.app.trace" and succeeded["level"] == "INFO"  # logged by the pool child


@pytest.mark.e2e
def test_the_web_process_and_its_access_lines_log_json_too(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    web_env = {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    try:
        import uvicorn_worker  # noqa: F401  (requirements/production.txt; dev installs base.txt only)
    except ImportError:
        # uvicorn's own copy of the same worker class (deprecated there, moved to uvicorn-worker).
        web_env["PROCFILE_WEB_WORKER"] = "uvicorn.workers.UvicornWorker"
    web = ProcfileProcess("web", web_env, tmp_path / "web.log")
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="the web process")
        httpx.get(f"http://127.0.0.1:{port}/nao-existe", timeout=5)
    finally:
        web.stop()

    records = json_lines([line for line in web.log().splitlines() if line.strip()])

    loggers = {record["logger"] for record in records}
    assert "gunicorn.error" in loggers  # "Starting gunicorn", "Booting worker"
    assert any(record["logger"] == "django.request" and record["status_code"] == 404 for record in records)
    assert any("/healthz" in record["message"] for record in records if record["logger"].endswith("access"))


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code in (200, 503)
    except httpx.TransportError:
        return False
