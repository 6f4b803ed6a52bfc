from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus
from orchestration.services.executions import execution_create, execution_log, execution_start
from orchestration.services.heartbeat import heartbeat_record
from orchestration.services.runner import execution_run
from orchestration.services.stale_executions import executions_reap_stale

pytestmark = pytest.mark.django_db


def running(kind: str) -> Execution:
    execution = execution_create(kind=kind)
    return execution_start(execution=execution)


def test_the_heartbeat_ends_a_run_whose_worker_vanished_and_spares_an_active_one(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_STALE_AFTER_SECONDS = 600
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        abandoned = running("ABANDONED")
        active = running("ACTIVE")
        queued = execution_create(kind="QUEUED_RECENTLY")
    with time_machine.travel(started + timedelta(seconds=590), tick=False):
        execution_log(execution=active, message="ainda trabalhando")
    with time_machine.travel(started + timedelta(seconds=700), tick=False):
        heartbeat = heartbeat_record()

    abandoned.refresh_from_db()
    active.refresh_from_db()
    queued.refresh_from_db()
    assert abandoned.status == ExecutionStatus.TIMED_OUT
    assert "abandonada" in abandoned.error
    assert abandoned.log_lines.last().message == abandoned.error
    assert active.status == ExecutionStatus.RUNNING
    assert queued.status == ExecutionStatus.QUEUED
    assert heartbeat.counters["abandoned_ended"] == 1


def test_a_message_that_never_reached_a_worker_is_ended_after_a_day(settings) -> None:  # type: ignore[no-untyped-def]
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        lost = execution_create(kind="NEVER_STARTED")
    with time_machine.travel(started + timedelta(seconds=settings.EXECUTION_QUEUED_STALE_AFTER_SECONDS + 60)):
        heartbeat_record()

    lost.refresh_from_db()
    assert lost.status == ExecutionStatus.TIMED_OUT


def test_runs_ended_by_the_sweep_raise_one_alert_per_kind(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_STALE_AFTER_SECONDS = 600
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        first, second = running("ABANDONED"), running("ABANDONED")
        other = running("OTHER_KIND")
    with time_machine.travel(started + timedelta(seconds=700), tick=False):
        executions_reap_stale()

    alerts = {alert.fingerprint: alert for alert in Alert.objects.all()}
    assert set(alerts) == {"execution:timed-out:ABANDONED", "execution:timed-out:OTHER_KIND"}
    assert alerts["execution:timed-out:ABANDONED"].occurrences == 2
    assert alerts["execution:timed-out:ABANDONED"].execution_id in {first.pk, second.pk}
    assert alerts["execution:timed-out:OTHER_KIND"].group == "execution:timed-out"
    assert alerts["execution:timed-out:OTHER_KIND"].execution_id == other.pk


def test_the_next_run_of_the_kind_that_succeeds_resolves_its_abandoned_runs_alert(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_STALE_AFTER_SECONDS = 600
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        running("ABANDONED")
    with time_machine.travel(started + timedelta(seconds=700), tick=False):
        executions_reap_stale()
    alert = Alert.objects.get(fingerprint="execution:timed-out:ABANDONED")

    execution_run(kind="OTHER_KIND", job=lambda context: None)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN  # another kind working says nothing about this one
    execution_run(kind="ABANDONED", job=lambda context: None)
    alert.refresh_from_db()

    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by is None
