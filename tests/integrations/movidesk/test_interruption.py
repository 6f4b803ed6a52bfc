"""Ctrl-C or SIGTERM on a foreground `sync_movidesk` ends its execution as CANCELLED, frees the lock and
exits with one line, whatever page it was on."""

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from integrations.movidesk.sync import LOCK_KEY
from integrations.movidesk.windows import local_today
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.locks import lock_acquire, lock_release
from tests.fakes.movidesk import DEFAULT_TOKEN, MovideskFake
from tests.fakes.server import FakeServer
from tests.harness.processes import PROJECT_DIR, wait_until


@pytest.fixture
def slow_movidesk(subprocess_env: dict[str, str]) -> Iterator[dict[str, str]]:
    fake = MovideskFake()
    now = datetime.now(UTC)
    fake.generate(1500, start=now - timedelta(hours=23), end=now - timedelta(minutes=5))
    fake.delay_seconds = 0.4  # 15 pages: the command is surely in the middle when the signal comes
    with FakeServer(fake.handle) as server:
        yield {
            **subprocess_env,
            "MOVIDESK_BASE_URL": f"{server.url}/public/v1",
            "MOVIDESK_TOKEN": DEFAULT_TOKEN,
            "MOVIDESK_RATE_LIMIT_PER_MINUTE": "0",
        }


def _interrupt(env: dict[str, str], args: list[str], signum: int) -> tuple[subprocess.CompletedProcess, Execution]:
    command = subprocess.Popen(
        [sys.executable, "manage.py", "sync_movidesk", *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        execution = wait_until(
            lambda: Execution.objects.filter(status=ExecutionStatus.RUNNING, counters__pages__gte=2).first(),
            timeout=60,
            what="a sync two pages in",
        )
        command.send_signal(signum)
        stdout, stderr = command.communicate(timeout=30)
    finally:
        if command.poll() is None:
            command.kill()
    execution.refresh_from_db()
    return subprocess.CompletedProcess(command.args, command.returncode, stdout, stderr), execution


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_cancels_the_run_frees_the_lock_and_prints_one_line(
    slow_movidesk: dict[str, str], signum: int, code: int, name: str
) -> None:
    today = local_today()
    args = ["--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat()]

    done, execution = _interrupt(slow_movidesk, args, signum)

    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    last = [line for line in done.stderr.splitlines() if line.strip()][-1]
    assert name in last and f"#{execution.pk}" in last
    assert execution.status == ExecutionStatus.CANCELLED and execution.finished_at is not None
    assert name in execution.log_lines.order_by("-id").first().message
    assert lock_acquire(key=LOCK_KEY, owner="the-next-run", ttl_seconds=5)
    lock_release(key=LOCK_KEY, owner="the-next-run")


def test_an_interrupted_backfill_is_cancelled_and_says_how_to_resume(slow_movidesk: dict[str, str]) -> None:
    since = (local_today() - timedelta(days=1)).isoformat()

    done, execution = _interrupt(slow_movidesk, ["--since", since], signal.SIGTERM)

    assert done.returncode == 143, done.stderr
    assert "Rode o mesmo comando de novo" in done.stderr and "Traceback" not in done.stderr
    assert execution.status == ExecutionStatus.CANCELLED
    assert lock_acquire(key=LOCK_KEY, owner="the-next-run", ttl_seconds=5)
    lock_release(key=LOCK_KEY, owner="the-next-run")
