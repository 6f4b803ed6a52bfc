"""Start and stop real `celery worker` / `celery beat` processes for tests and benchmarks.

    with CeleryProcesses(env, log_dir) as celery:
        worker = celery.worker(concurrency=1)
        beat = celery.beat()
        wait_until(lambda: Execution.objects.exists(), timeout=20, what="an execution")

Every process runs in its own session (process group), logs to a file in `log_dir`, and is stopped —
its whole group, pool children included — when the `with` block ends, whatever happened inside it.
`env` is usually the `subprocess_env` fixture (tests/conftest.py), optionally passed through
`redis_broker_env()` to use Redis as the broker.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import redis
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Broker keys kombu's Redis transport writes in its database; other Redis users in the same database
# (locks, rate limits) use their own prefixes and are left alone.
_BROKER_KEY_PATTERNS = ("celery*", "unacked*", "_kombu.*")

# Both the Django formatter ("2026-01-31 12:00:00,123 INFO ...") and Celery's ("[2026-01-31 12:00:00,123: ...").
_LOG_TIMESTAMP = re.compile(r"^\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], *, timeout: float, what: str = "condition", interval: float = 0.1) -> T:
    """Polls `predicate` until it returns something truthy, which is returned; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def redis_broker_env(env: dict[str, str], *, visibility_timeout: int | None = None) -> dict[str, str]:
    """`env` with Redis as the broker, on the database of REDIS_URL (each test run owns its own)."""
    url = env.get("REDIS_URL") or os.environ.get("REDIS_URL", "")
    if not url:
        raise RuntimeError("REDIS_URL is not set")
    updated = {**env, "CELERY_BROKER_URL": url}
    if visibility_timeout is not None:
        updated["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
    return updated


def redis_broker_purge(url: str) -> int:
    """Deletes the broker's queues and unacked messages from the Redis database of `url`."""
    client = redis.Redis.from_url(url)
    try:
        keys = {key for pattern in _BROKER_KEY_PATTERNS for key in client.scan_iter(match=pattern)}
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()


def send_task(broker_url: str, name: str, kwargs: dict[str, Any] | None = None) -> str:
    """Publishes task `name` to the broker at `broker_url` (not necessarily this process's broker);
    returns the task id."""
    from config.celery import app

    with app.connection_for_write(broker_url) as connection:
        return str(app.send_task(name, kwargs=kwargs or {}, connection=connection).id)


@contextlib.contextmanager
def this_process_broker(broker_url: str) -> Iterator[None]:
    """Points this process's Celery app at `broker_url` for the block, as the web process and the workers
    share one broker in production: what a service enqueues here (after commit) reaches the test's worker."""
    from celery import current_app

    conf = current_app.conf
    saved = conf.broker_url, conf.broker_transport_options

    def reset_pools() -> None:
        current_app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            current_app.__dict__["amqp"]._producer_pool = None

    conf.broker_url, conf.broker_transport_options = broker_url, {}
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        reset_pools()


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class CeleryProcess:
    """One running `celery` command. `log()` is everything it printed so far."""

    starts_processes = True  # tests using it are marked e2e (tests/conftest.py)

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.args = args
        self.log_path = log_path
        self._log_file = log_path.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches the pool children too
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_times(self, text: str) -> list[datetime]:
        """When the lines containing `text` were logged, from their timestamps (the process logs in
        local time, which Django sets to TIME_ZONE)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        times = []
        for line in self.log().splitlines():
            match = _LOG_TIMESTAMP.match(line)
            if match and text in line:
                times.append(datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=zone))
        return sorted(set(times))

    def wait_for_log(self, text: str, *, timeout: float = 60) -> None:
        def seen() -> bool:
            if not self.running:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.log()[-4000:]}")
            return text in self.log()

        try:
            wait_until(seen, timeout=timeout, what=f"{text!r} in the log of {self.name}", interval=0.2)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n--- {self.name} log ---\n{self.log()[-4000:]}") from None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` to the whole process group (main process and pool children) and reaps it."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)
        if sig == signal.SIGKILL:
            self.popen.wait(timeout=10)
            self._log_file.close()

    def stop(self, timeout: float = 10) -> None:
        """Warm shutdown (SIGTERM to the main process only, as a supervisor would), SIGKILL after `timeout`."""
        if self.running:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        # Whatever is left of the group (a pool child, a stuck main process) goes now.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if self.popen.returncode is None:
            self.popen.wait(timeout=10)
        self._log_file.close()


class CeleryProcesses:
    """Starts workers and beats; stops all of them on exit, in reverse order of start."""

    starts_processes = True  # tests using it are marked e2e (tests/conftest.py)

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.started: list[CeleryProcess] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> "CeleryProcesses":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop_all()

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> CeleryProcess:
        log_path = self.log_dir / f"{name}-{len(self.started)}.log"
        process = CeleryProcess(name, args, env or self.env, log_path)
        self.started.append(process)
        return process

    def worker(
        self,
        *,
        name: str = "worker",
        concurrency: int = 1,
        pool: str = "prefork",
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        wait_ready: bool = True,
        timeout: float = 60,
    ) -> CeleryProcess:
        """A worker named `<name>@%h`; by default returns once it logged that it is ready."""
        args = [
            "worker",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            # Mingle and gossip only slow start-up down; the tests do not use remote control.
            "--without-mingle",
            "--without-gossip",
            *extra_args,
        ]
        process = self.start(name, args, env)
        if wait_ready:
            process.wait_for_log(" ready.", timeout=timeout)
        return process

    def beat(
        self,
        *,
        name: str = "beat",
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        wait_ready: bool = True,
        timeout: float = 60,
    ) -> CeleryProcess:
        """Beat with the DatabaseScheduler; by default returns once it has read the schedule."""
        args = [
            "beat",
            "--loglevel=DEBUG",
            "--scheduler=orchestration.beat_scheduler:DatabaseScheduler",
            f"--pidfile={self.log_dir / f'{name}.pid'}",
            *extra_args,
        ]
        process = self.start(name, args, env)
        if wait_ready:
            process.wait_for_log("DatabaseScheduler: Fetching database schedule", timeout=timeout)
        return process
