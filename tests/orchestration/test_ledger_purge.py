"""The ledger purge: what is older than EXECUTION_RETENTION_DAYS goes, at the boundary to the second, and
what an open alert or a running fan-out still needs stays."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orchestration.models import Alert, AlertStatus, Execution, ExecutionLogLine, ExecutionStatus
from orchestration.services.ledger_retention import executions_purge

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(-180))
DAYS = 30
CUTOFF = NOW - timedelta(days=DAYS)


def run(
    finished: datetime | None, status: str = ExecutionStatus.SUCCEEDED, parent: Execution | None = None, lines: int = 2
) -> Execution:
    execution = Execution.objects.create(kind="SMOKE_TEST", status=status, parent=parent)
    created = (finished or NOW) - timedelta(minutes=5)
    Execution.objects.filter(pk=execution.pk).update(created_at=created, finished_at=finished)
    for n in range(lines):
        line = ExecutionLogLine.objects.create(execution=execution, message=f"linha {n}")
        ExecutionLogLine.objects.filter(pk=line.pk).update(created_at=finished or NOW)
    return execution


def alive(*executions: Execution) -> list[bool]:
    present = set(Execution.objects.values_list("pk", flat=True))
    return [execution.pk in present for execution in executions]


def test_the_boundary_is_the_cutoff_to_the_second() -> None:
    just_old = run(CUTOFF - timedelta(seconds=1))
    just_new = run(CUTOFF + timedelta(seconds=1))
    failed_old = run(CUTOFF - timedelta(days=3), status=ExecutionStatus.FAILED)

    totals = executions_purge(now=NOW, days=DAYS)

    assert alive(just_old, just_new, failed_old) == [False, True, False]
    assert (totals.executions, totals.log_lines) == (2, 4)
    assert executions_purge(now=NOW, days=DAYS).executions == 0  # a second run deletes nothing


def test_an_open_alert_keeps_its_run_and_a_resolved_one_does_not() -> None:
    old = CUTOFF - timedelta(days=10)
    kept, released = run(old, status=ExecutionStatus.FAILED), run(old, status=ExecutionStatus.FAILED)
    common = {"group": "g", "title": "t", "first_seen_at": old, "last_seen_at": old}
    Alert.objects.create(fingerprint="a", execution=kept, status=AlertStatus.OPEN, **common)
    resolved = Alert.objects.create(fingerprint="b", execution=released, status=AlertStatus.RESOLVED, **common)

    executions_purge(now=NOW, days=DAYS)

    assert alive(kept, released) == [True, False]
    assert kept.log_lines.count() == 2  # the lines the alert points at stay too
    resolved.refresh_from_db()
    assert resolved.execution_id is None


def test_a_running_fan_out_keeps_its_old_children_and_an_old_tree_goes_whole() -> None:
    old = CUTOFF - timedelta(days=5)
    running_parent = run(None, status=ExecutionStatus.RUNNING)
    Execution.objects.filter(pk=running_parent.pk).update(created_at=old)
    old_child = run(old, parent=running_parent)
    done_parent = run(old)
    done_children = [run(old, parent=done_parent) for _ in range(3)]
    recent_child_parent = run(old)
    recent_child = run(CUTOFF + timedelta(hours=1), parent=recent_child_parent)

    totals = executions_purge(now=NOW, days=DAYS)

    assert alive(running_parent, old_child) == [True, True]
    assert alive(done_parent, *done_children) == [False] * 4
    assert alive(recent_child_parent, recent_child) == [True, True]
    assert totals.executions == 4
    assert old_child.log_lines.count() == 2  # a running fan-out's children keep their lines


def test_old_lines_of_a_long_run_that_ended_recently_go_and_the_run_stays() -> None:
    long_run = run(CUTOFF + timedelta(days=1), lines=0)
    for age in (timedelta(days=40), timedelta(days=1)):
        line = ExecutionLogLine.objects.create(execution=long_run, message=str(age))
        ExecutionLogLine.objects.filter(pk=line.pk).update(created_at=NOW - age)

    totals = executions_purge(now=NOW, days=DAYS)

    assert alive(long_run) == [True]
    assert list(long_run.log_lines.values_list("message", flat=True)) == [str(timedelta(days=1))]
    assert totals.log_lines == 1


def test_the_command_records_its_run_in_the_ledger(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_RETENTION_DAYS = 30
    old = run(timezone.now() - timedelta(days=31))
    call_command("purge_executions")
    purge = Execution.objects.get(kind="LEDGER_PURGE")
    assert purge.status == ExecutionStatus.SUCCEEDED
    assert purge.counters == {"executions_deleted": 1, "log_lines_deleted": 2}
    assert alive(old) == [False]
