"""Measures how long a PeriodicTask edit takes to reach a running beat and to show in the ledger.

Used by tests/orchestration/test_beat.py and bench/schedule_delay.py. The probe task is
`orchestration.smoke_test`; its runs are the SMOKE_TEST executions.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from orchestration.models import Execution
from orchestration.services.smoke import SMOKE_TEST_KIND
from tests.harness.processes import CeleryProcess, wait_until

QUIET_SECONDS = 6
SCHEDULE_CHANGED = "DatabaseScheduler: Schedule changed."
LOG_PRECISION = timedelta(milliseconds=1)  # log timestamps are truncated to the millisecond


def smoke_runs_after(moment: datetime) -> list[datetime]:
    return list(
        Execution.objects.filter(kind=SMOKE_TEST_KIND, created_at__gt=moment)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def first_run_after(moment: datetime, *, timeout: float = 20) -> datetime:
    return wait_until(lambda: next(iter(smoke_runs_after(moment)), None), timeout=timeout, what="a run")


def last_run_before_quiet(moment: datetime, *, timeout: float = 30) -> datetime | None:
    """Waits until no run has started for QUIET_SECONDS; returns the last run after `moment`, if any."""

    def quiet() -> bool:
        runs = smoke_runs_after(moment)
        latest = runs[-1] if runs else moment
        return (timezone.now() - latest).total_seconds() >= QUIET_SECONDS

    wait_until(quiet, timeout=timeout, what=f"{QUIET_SECONDS} s without runs")
    runs = smoke_runs_after(moment)
    return runs[-1] if runs else None


def seconds_between(start: datetime, end: datetime | None) -> float:
    """0 when nothing happened after `start` (e.g. no run slipped through after a disable)."""
    return max(0.0, (end - start).total_seconds()) if end else 0.0


def save_edit(task: PeriodicTask, **fields: object) -> datetime:
    """Saves the row as the admin does (model save, which signals beat); returns when it was saved."""
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()
    return timezone.now()


def next_minute_with_margin(margin_seconds: int = 8) -> datetime:
    """The start of the next minute in São Paulo at least `margin_seconds` away."""
    local_now = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE))
    return (local_now + timedelta(seconds=margin_seconds)).replace(second=0, microsecond=0) + timedelta(minutes=1)


def beat_reload_after(beat: CeleryProcess, moment: datetime, *, timeout: float = 15) -> float:
    """Seconds from `moment` until beat logged that it re-read the schedule."""

    def reloaded() -> datetime | None:
        return next((at for at in beat.log_times(SCHEDULE_CHANGED) if at >= moment - LOG_PRECISION), None)

    return max(0.0, (wait_until(reloaded, timeout=timeout, what="beat to re-read") - moment).total_seconds())
