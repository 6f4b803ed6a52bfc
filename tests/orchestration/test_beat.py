"""Real `celery beat` (DatabaseScheduler) and `celery worker` processes: edits in the database take
effect without restarting beat, within a few seconds."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.services.heartbeat import HEARTBEAT_KIND
from orchestration.services.periodic_tasks import crontab_schedule_for, interval_schedule_for
from orchestration.services.schedules import schedules_setup
from orchestration.services.smoke import SMOKE_TEST_KIND
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, wait_until
from tests.harness.schedule_probe import (
    beat_reload_after,
    first_run_after,
    last_run_before_quiet,
    next_minute_with_margin,
    save_edit,
    seconds_between,
    smoke_runs_after,
)

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it

MAX_EDIT_DELAY_SECONDS = 10


@pytest.mark.services
def test_beat_applies_database_edits_without_restart(subprocess_env: dict[str, str], tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    env = redis_broker_env(subprocess_env)
    redis_broker_purge(env["CELERY_BROKER_URL"])
    # edit -> (seconds until beat re-read the schedule, seconds until the observable effect)
    delays: dict[str, tuple[float, float]] = {}
    with CeleryProcesses(env, tmp_path / "logs") as celery:
        celery.worker()
        beat = celery.beat()
        beat_pid = beat.pid

        created_at = timezone.now()
        task = PeriodicTask.objects.create(
            name="smoke every 2 s",
            task="orchestration.smoke_test",
            interval=interval_schedule_for(2),
            kwargs=json.dumps({"seconds": 0}),
        )
        first = first_run_after(created_at)
        delays["create (first run)"] = (beat_reload_after(beat, created_at), seconds_between(created_at, first))
        wait_until(lambda: len(smoke_runs_after(created_at)) >= 3, timeout=15, what="three runs")

        disabled_at = save_edit(task, enabled=False)
        last = last_run_before_quiet(disabled_at)
        reload = beat_reload_after(beat, disabled_at)
        delays["disable (last run)"] = (reload, seconds_between(disabled_at, last))
        quiet_since = timezone.now()

        enabled_at = save_edit(task, enabled=True)
        first = first_run_after(enabled_at)
        delays["enable (first run)"] = (beat_reload_after(beat, enabled_at), seconds_between(enabled_at, first))
        assert not [run for run in smoke_runs_after(quiet_since) if run < enabled_at], "ran while disabled"

        slowed_at = save_edit(task, interval=interval_schedule_for(3600))
        last = last_run_before_quiet(slowed_at)
        reload = beat_reload_after(beat, slowed_at)
        delays["interval 2 s -> 1 h (last run)"] = (reload, seconds_between(slowed_at, last))

        # A crontab for the next minute in São Paulo time: nothing before it, a run right at it.
        target = next_minute_with_margin()
        fields = {"minute": str(target.minute), "hour": str(target.hour), "day_of_month": "*"}
        fields |= {"month_of_year": "*", "day_of_week": "*"}
        crontab_at = save_edit(task, interval=None, crontab=crontab_schedule_for(fields))
        cron_run = first_run_after(crontab_at, timeout=(target - timezone.now()).total_seconds() + 20)
        assert cron_run >= target, f"ran at {cron_run}, before the crontab minute {target}"
        delays["crontab (run after its minute)"] = (
            beat_reload_after(beat, crontab_at),
            seconds_between(target, cron_run),
        )

        resumed_at = save_edit(task, crontab=None, interval=interval_schedule_for(2))
        first = first_run_after(resumed_at)
        delays["crontab -> interval 2 s (first run)"] = (
            beat_reload_after(beat, resumed_at),
            seconds_between(resumed_at, first),
        )

        assert beat.running and beat.pid == beat_pid, "beat must never be restarted"

    runs = Execution.objects.filter(kind=SMOKE_TEST_KIND)
    assert set(runs.values_list("status", "trigger")) == {(ExecutionStatus.SUCCEEDED, Trigger.SCHEDULE)}
    with capsys.disabled():
        print("\nschedule edit-to-effect delay (real beat + worker, PostgreSQL + Redis broker):")
        print(f"  {'edit (effect measured)':<38} {'beat re-read':>12} {'effect':>8}")
        for edit, (reload, effect) in delays.items():
            print(f"  {edit:<38} {reload:10.2f} s {effect:6.2f} s")
    slow = {edit: pair for edit, pair in delays.items() if max(pair) >= MAX_EDIT_DELAY_SECONDS}
    assert not slow, f"edits took {MAX_EDIT_DELAY_SECONDS} s or more to take effect: {slow}"


def test_embedded_filesystem_broker_runs_the_shipped_heartbeat(subprocess_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What `make run` uses: the file-system broker and whatever database is configured (SQLite here)."""
    env = {**subprocess_env, "CELERY_BROKER_URL": "filesystem://"}
    schedules_setup()
    # As if beat had been down for a while: the heartbeat is overdue and runs as soon as beat starts.
    PeriodicTask.objects.filter(task="orchestration.heartbeat").update(
        last_run_at=timezone.now() - timedelta(minutes=5)
    )
    with CeleryProcesses(env, tmp_path / "logs") as celery:
        celery.worker()
        celery.beat()
        heartbeat = wait_until(
            lambda: Execution.objects.filter(kind=HEARTBEAT_KIND, status=ExecutionStatus.SUCCEEDED).first(),
            timeout=30,
            what="a heartbeat execution",
        )

    assert heartbeat.trigger == Trigger.SCHEDULE
    response = Client().get("/healthz")
    assert response.json()["checks"]["heartbeat"]["counted_from"] == "heartbeat"
    assert response.json()["checks"]["heartbeat"]["ok"] is True
