"""Runs the project's ASGI application under uvicorn in a subprocess, for SSE and browser tests.

    with AsgiServer(subprocess_env, log_dir) as server:
        httpx.get(server.url("/api/v1/executions/1/stream"))

The process sees the test database through `subprocess_env` (tests/conftest.py), so the data a test
wants it to serve must be committed (transactional_db).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.conftest import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]


class AsgiServer:
    starts_processes = True  # tests using it are marked e2e (tests/conftest.py)

    def __init__(
        self, env: dict[str, str], log_dir: Path, *, app: str = "config.asgi:application", startup_timeout: float = 60
    ) -> None:
        self.env = env
        self.app = app
        self.port = free_port()
        self.log_path = log_dir / f"uvicorn-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.popen: subprocess.Popen[bytes] | None = None
        log_dir.mkdir(parents=True, exist_ok=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def thread_count(self) -> int:
        """Threads of the server process right now (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise RuntimeError("no thread count in /proc")

    def __enter__(self) -> "AsgiServer":
        self._log_file = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "2",
            ],
            cwd=PROJECT_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.popen.returncode}:\n{self.log()[-4000:]}")
            try:
                httpx.get(self.url("/api/v1/"), timeout=2)
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"uvicorn not ready after {self.startup_timeout:.0f} s:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._log_file.close()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
