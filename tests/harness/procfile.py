"""A process type of the production Procfile started as the image starts it (`sh -c "exec <line>"`), with
the production settings pointed at the test's database and Redis."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness.processes import PROJECT_DIR, wait_until

# Throwaway values production accepts; they protect nothing here.
PRODUCTION_SECRETS = {
    "SECRET_KEY": "test-only-production-secret-key-0123456789abcdef",
    "FIELD_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
}


def procfile_line(name: str) -> str:
    for line in (PROJECT_DIR / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(f"no process type {name!r} in the Procfile")


def production_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    """`env` (a test's subprocess environment) with the production settings and a Redis broker."""
    redis_url = env.get("REDIS_URL") or os.environ["REDIS_URL"]
    updated = {
        **env,
        **PRODUCTION_SECRETS,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        # The Procfile names its programs (gunicorn, celery) as the image's PATH has them.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', os.environ.get('PATH', ''))}",
        "PYTHONUNBUFFERED": "1",
    }
    updated.pop("LOG_FORMAT", None)
    updated.update(extra)
    return updated


class ProcfileProcess:
    starts_processes = True  # tests using it are marked e2e (tests/conftest.py)

    def __init__(self, name: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log_file = log_path.open("wb")
        line = procfile_line(name)
        if env.get("PROCFILE_WEB_WORKER"):
            line = line.replace("uvicorn_worker.UvicornWorker", env["PROCFILE_WEB_WORKER"])
        self.popen = subprocess.Popen(
            ["sh", "-c", f"exec {line}"],
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, *, timeout: float = 60) -> None:
        def seen() -> bool:
            if self.popen.poll() is not None and text not in self.log():
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-4000:]}")
            return text in self.log()

        wait_until(seen, timeout=timeout, what=f"{text!r} in the log of {self.name}", interval=0.1)

    def wait_exit(self, timeout: float = 30) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        self._log_file.close()
