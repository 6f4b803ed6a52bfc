"""`manage.py print_urls`: the URL banner of `make run`."""

import json
import os
import re
import signal
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import free_port
from tests.fakes.server import FakeResponse, FakeServer
from tests.harness.processes import PROJECT_DIR


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_print_urls_lists_the_pages_and_the_running_simulators(tmp_path: Path) -> None:
    (tmp_path / "simulators.json").write_text(json.dumps({"movidesk": "http://127.0.0.1:9101"}))
    with override_settings(DEMO_SIMULATORS=True, VAR_DIR=tmp_path):
        output = run("print_urls", "--port", "8765")

    for url in ("/", "/console/health/", "/admin/", "/api/docs/", "/api/schema/", "/healthz", "/metrics"):
        assert f"http://127.0.0.1:8765{url}\n" in output
    assert re.search(r"simulator movidesk\s+http://127\.0\.0\.1:9101", output)


@pytest.mark.e2e
def test_print_urls_wait_prints_once_the_web_answers_and_stays_up_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ORQUESTRA_VAR_DIR": str(tmp_path), "DEMO_SIMULATORS": "0", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "print_urls", "--wait", "--port", str(port)],
        cwd=PROJECT_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Nothing listens yet: the command waits. Then a server answers (503 counts: the web is up).
        with FakeServer(lambda request: FakeResponse.json({"status": "fail"}, status=503), port=port):
            assert process.stdout is not None
            assert "Orquestra está no ar" in process.stdout.readline()
            assert process.poll() is None
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
