"""Flower, as the Procfile starts it: behind basic authentication, and not at all without credentials."""

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.harness.processes import wait_until
from tests.harness.procfile import ProcfileProcess, production_env

pytestmark = [pytest.mark.services, pytest.mark.e2e]

CREDENTIALS = "operacoes:flower-s3nha-forte"


@pytest.fixture(scope="module")
def flower(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = production_env(dict(os.environ), FLOWER_BASIC_AUTH=CREDENTIALS, FLOWER_PORT=str(port))
    process = ProcfileProcess("flower", env, tmp_path_factory.mktemp("flower") / "flower.log")
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.popen.poll() is not None:
            raise RuntimeError(f"flower exited with {process.popen.returncode}:\n{process.log()[-4000:]}")
        try:
            return httpx.get(f"{url}/healthcheck", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, timeout=30, what="Flower answering")
        yield url
    finally:
        process.stop()


def test_without_credentials_flower_answers_401(flower: str) -> None:
    for path in ("/", "/tasks", "/api/workers", "/api/tasks"):
        response = httpx.get(f"{flower}{path}", timeout=5)
        assert response.status_code == 401, path
        assert "worker" not in response.text.lower()
    # The page asks the browser for the credentials.
    assert "Basic" in httpx.get(f"{flower}/", timeout=5).headers.get("WWW-Authenticate", "")


def test_wrong_credentials_are_refused(flower: str) -> None:
    assert httpx.get(f"{flower}/", auth=("operacoes", "errada"), timeout=5).status_code == 401
    wrong_scheme = {"Authorization": "Bearer " + base64.b64encode(CREDENTIALS.encode()).decode()}
    assert httpx.get(f"{flower}/", headers=wrong_scheme, timeout=5).status_code == 401


def test_with_the_credentials_flower_answers_200(flower: str) -> None:
    user, password = CREDENTIALS.split(":")
    response = httpx.get(f"{flower}/", auth=(user, password), timeout=5)
    assert response.status_code == 200
    assert "Flower" in response.text


def test_flower_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    env = production_env(dict(os.environ), FLOWER_PORT=str(free_port()))
    env.pop("FLOWER_BASIC_AUTH", None)
    process = ProcfileProcess("flower", env, tmp_path / "flower.log")
    try:
        assert process.wait_exit(timeout=30) != 0
    finally:
        process.stop()
    assert "FLOWER_BASIC_AUTH is not set" in process.log()
