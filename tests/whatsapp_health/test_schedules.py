"""`setup_schedules` ships the source's three schedules, and with a real beat and worker the check runs on
its own, corrects drifted sessions, and a run that would overlap the previous one is SKIPPED by the lock."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.services.periodic_tasks import interval_schedule_for
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, wait_until
from whatsapp_health.checks import CHECK_KIND
from whatsapp_health.models import SessionStatus, WhatsAppSession

CHECK = "WhatsApp: verificação das sessões"
CLEANUP = "WhatsApp: limpeza de sessões antigas"
CONVERSATIONS = "WhatsApp: conversas inativas"


@pytest.mark.django_db
def test_setup_schedules_ships_every_5_minutes_daily_at_2_and_hourly() -> None:
    call_command("setup_schedules", verbosity=0)

    check = PeriodicTask.objects.get(name=CHECK)
    assert (check.task, check.interval.every, check.interval.period) == (
        "whatsapp_health.check_sessions",
        300,
        "seconds",
    )
    assert check.expire_seconds == 300
    cleanup = PeriodicTask.objects.get(name=CLEANUP)
    assert (cleanup.task, cleanup.crontab.minute, cleanup.crontab.hour) == (
        "whatsapp_health.cleanup_sessions",
        "0",
        "2",
    )
    hourly = PeriodicTask.objects.get(name=CONVERSATIONS)
    assert (hourly.crontab.minute, hourly.crontab.hour) == ("0", "*")


@pytest.mark.services
def test_beat_runs_the_check_which_corrects_drift_and_never_overlaps(
    subprocess_env: dict[str, str], make_session, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # Two sessions answering in 1.5 s, checked one at a time: a run lasts ~3 s and beat fires every 2 s.
    make_session("abc123", state="open", status=SessionStatus.DISCONNECTED, delay=1.5)
    make_session("loja", provider="WAHA", state="STOPPED", status=SessionStatus.CONNECTED, delay=1.5)
    call_command("setup_schedules", verbosity=0)
    task = PeriodicTask.objects.get(name=CHECK)
    task.interval = interval_schedule_for(2)
    task.save()
    PeriodicTasks.update_changed()
    env = redis_broker_env({**subprocess_env, "WHATSAPP_CHECK_CONCURRENCY": "1"})
    redis_broker_purge(env["CELERY_BROKER_URL"])

    with CeleryProcesses(env, tmp_path / "logs") as celery:
        celery.worker(concurrency=2)
        celery.beat()

        def settled() -> bool:
            runs = Execution.objects.filter(kind=CHECK_KIND)
            return (
                runs.filter(status=ExecutionStatus.SUCCEEDED).exists()
                and runs.filter(status=ExecutionStatus.SKIPPED).exists()
            )

        wait_until(settled, timeout=45, what="a finished check and a skipped overlapping one")
        PeriodicTask.objects.filter(name=CHECK).update(enabled=False)
        PeriodicTasks.update_changed()

    runs = Execution.objects.filter(kind=CHECK_KIND)
    assert set(runs.values_list("trigger", flat=True)) == {Trigger.SCHEDULE}
    skipped = runs.filter(status=ExecutionStatus.SKIPPED).first()
    assert "outra execução de 'whatsapp:check'" in skipped.log_lines.last().message
    assert dict(WhatsAppSession.objects.values_list("instance", "status")) == {
        "abc123": SessionStatus.CONNECTED,
        "loja": SessionStatus.DISCONNECTED,
    }
