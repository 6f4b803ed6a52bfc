"""The simulators process of `make run` (tests/fakes/serve.py)."""

import http.client
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.fakes.simulators import SIMULATORS
from tests.harness.processes import PROJECT_DIR, wait_until


@pytest.mark.e2e
def test_serve_starts_every_simulator_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    ports = {simulator.port_setting: str(free_port()) for simulator in SIMULATORS}
    env = {**os.environ, **ports, "ORQUESTRA_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.serve"], cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in SIMULATORS or [None]]
        state = wait_until(lambda: (tmp_path / "simulators.json").exists(), timeout=10, what="the state file")
        assert state
        urls = json.loads((tmp_path / "simulators.json").read_text())
        assert set(urls) == {simulator.name for simulator in SIMULATORS}
        for simulator in SIMULATORS:
            url = f"http://127.0.0.1:{ports[simulator.port_setting]}"
            assert urls[simulator.name] == url
            assert any(url in line for line in lines)
            connection = http.client.HTTPConnection("127.0.0.1", int(ports[simulator.port_setting]), timeout=5)
            connection.request("GET", "/")
            assert connection.getresponse().status > 0
            connection.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not (tmp_path / "simulators.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.e2e
def test_serve_with_no_simulator_registered_stays_up_until_sigint(tmp_path: Path) -> None:
    code = "import sys; from tests.fakes import serve; serve.SIMULATORS.clear(); sys.exit(serve.main())"
    env = {**os.environ, "ORQUESTRA_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert "none registered" in process.stdout.readline()
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
