"""/metrics through the production web process (the Procfile's gunicorn with Uvicorn workers): the request
metrics of every worker summed with PROMETHEUS_MULTIPROC_DIR, and a live-log stream counted as streaming."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token

from orchestration.models import Trigger, User
from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed
from tests.conftest import free_port
from tests.harness.processes import wait_until
from tests.harness.procfile import ProcfileProcess, production_env

pytestmark = [pytest.mark.services, pytest.mark.e2e]


@pytest.fixture
def web(subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = production_env(
        subprocess_env,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS_BEHIND_PROXY="false",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    try:
        import uvicorn_worker  # noqa: F401  (requirements/production.txt; dev installs base.txt only)
    except ImportError:
        env["PROCFILE_WEB_WORKER"] = "uvicorn.workers.UvicornWorker"
    process = ProcfileProcess("web", env, tmp_path / "web.log")
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.popen.poll() is not None:
            raise RuntimeError(f"web exited with {process.popen.returncode}:\n{process.log()[-4000:]}")
        try:
            return httpx.get(f"{url}/metrics", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, timeout=60, what="the web process")
        yield url, multiproc
    finally:
        process.stop()


def _samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_every_worker_s_requests_are_counted_and_a_stream_is_a_streaming_response(
    web: tuple[str, Path], admin_user: User
) -> None:
    url, multiproc = web
    execution = execution_start(execution=execution_create(kind="TEST_SSE", trigger=Trigger.MANUAL))
    execution_log(execution=execution, message="uma linha")
    execution_succeed(execution=execution)
    token = Token.objects.create(user=admin_user).key

    for _ in range(12):
        assert httpx.get(f"{url}/healthz", timeout=10).status_code in (200, 503)
    with httpx.stream(
        "GET", f"{url}/api/v1/executions/{execution.pk}/stream", headers={"Authorization": f"Token {token}"}, timeout=30
    ) as stream:
        assert stream.status_code == 200
        body = "".join(stream.iter_text())
    assert "uma linha" in body and "event: end" in body

    # Both workers keep their counters in the folder (one file each)...
    assert len(list(multiproc.glob("counter_*.db"))) == 2
    healthz = ("django_http_requests_total_by_view_transport_method_total",
               (("method", "GET"), ("transport", "http"), ("view", "healthz")))  # fmt: skip
    # ...and whichever of the two answers the scrape, the counters are the sum of both.
    for _ in range(4):
        samples = _samples(url)
        assert samples[healthz] == 12
        streaming = sum(
            value for (name, _), value in samples.items() if name == "django_http_responses_streaming_total"
        )
        assert streaming == 1
        assert ("orquestra_executions", (("kind", "TEST_SSE"), ("status", "SUCCEEDED"))) in samples
