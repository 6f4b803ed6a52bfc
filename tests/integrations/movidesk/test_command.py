"""`manage.py sync_movidesk`: a window in the foreground, --background, limits with a non-zero exit,
and the resumable --since backfill."""

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from integrations.movidesk.models import MovideskBackfill, MovideskTicket
from orchestration.models import Execution, ExecutionStatus
from tests.fakes.movidesk import MovideskFake
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
PROJECT_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def may_16() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 5, 16, 12, 0, tzinfo=SP), tick=True):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_movidesk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_window_runs_in_the_foreground_and_prints_the_counts(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.generate(150, start=datetime(2026, 5, 14, 3, tzinfo=SP), end=datetime(2026, 5, 15, 20, tzinfo=SP))

    out, err = run("--from", "2026-05-14", "--to", "2026-05-16")

    assert "Concluída. Páginas: 2, Novos: 150, Atualizados: 0, Inalterados: 0, Total: 150" in out
    assert "150 tickets" in err  # the progress bar
    assert MovideskTicket.objects.count() == 150


def test_background_only_queues_the_run(movidesk_server: FakeServer) -> None:
    out, _ = run("--from", "2026-05-14", "--to", "2026-05-16", "--background")

    execution = Execution.objects.get()
    assert f"Execução #{execution.pk} enfileirada" in out
    assert execution.status == ExecutionStatus.QUEUED
    assert movidesk_server.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2026-05-01", "--to", "2026-05-06"),
        ("--from", "2026-05-10"),
        ("--since", "2026-05-10", "--from", "2026-05-10", "--to", "2026-05-11"),
        ("--since", "2026-05-20"),
        ("--since", "0001-01-01"),
        ("--from", "0001-01-01", "--to", "0001-01-02"),
    ],
)
def test_invalid_requests_raise_command_error(args: tuple[str, ...], movidesk_server: FakeServer) -> None:
    with pytest.raises(CommandError):
        run(*args)
    assert movidesk_server.requests == []


def test_more_than_five_days_exits_non_zero_from_the_shell(tmp_path: Path) -> None:
    env = {**os.environ, "ORQUESTRA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "sync_movidesk", "--from", "2026-05-01", "--to", "2026-05-06"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "o máximo é 5 dias" in result.stderr


def test_backfill_walks_five_day_windows_and_resumes_where_it_stopped(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    # 300 tickets over 04/05..16/05: windows 04–08, 09–13, 14–16 of about 125, 125 and 50 tickets.
    movidesk_fake.generate(300, start=datetime(2026, 5, 4, 0, 1, tzinfo=SP), end=datetime(2026, 5, 16, 11, tzinfo=SP))
    movidesk_fake.malformed_page = 3  # the first page of the second window

    with pytest.raises(CommandError, match="Rode o mesmo comando de novo"):
        run("--since", "2026-05-04")

    backfill = MovideskBackfill.objects.get()
    assert (backfill.next_date.isoformat(), backfill.windows_done) == ("2026-05-09", 1)
    stored_after_failure = MovideskTicket.objects.count()
    assert 100 < stored_after_failure < 150
    failed = Execution.objects.get(kind="MOVIDESK_BACKFILL")
    assert failed.status == ExecutionStatus.FAILED and "página 1" in failed.error

    movidesk_fake.malformed_page = None
    served_before = len(movidesk_fake.list_requests())
    out, _ = run("--since", "2026-05-04")

    assert "Retomando a partir de 09/05/2026 (1 janelas já feitas)" in out
    resumed_first = movidesk_fake.list_requests()[served_before]
    assert resumed_first.query["$filter"].startswith(
        "lastUpdate ge 2026-05-09T03:00:00Z and lastUpdate lt 2026-05-14T03"
    )
    assert MovideskTicket.objects.count() == 300
    backfill.refresh_from_db()
    assert backfill.windows_done == 3 and backfill.is_complete
    assert f"Total: {300 - stored_after_failure}" in out

    out, _ = run("--since", "2026-05-04")
    assert "Nada a fazer" in out
