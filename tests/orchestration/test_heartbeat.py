"""The heartbeat task records a HEARTBEAT execution, keeps a day of them, and makes /healthz healthy."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.services.heartbeat import HEARTBEAT_KIND
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.tasks import heartbeat, smoke_test

pytestmark = pytest.mark.django_db


def test_a_heartbeat_run_is_a_succeeded_execution_that_healthz_sees(client: Client) -> None:
    result = heartbeat.apply()

    execution = Execution.objects.get(pk=result.get())
    assert execution.kind == HEARTBEAT_KIND
    assert execution.trigger == Trigger.MANUAL  # not sent by beat (see test_beat for the scheduled case)
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.celery_task_id == result.id
    heartbeat_check = client.get("/healthz").json()["checks"]["heartbeat"]
    assert heartbeat_check["counted_from"] == "heartbeat" and heartbeat_check["age_seconds"] < 5


def test_heartbeats_older_than_a_day_are_pruned_and_other_executions_kept() -> None:
    old_heartbeat = Execution.objects.create(kind=HEARTBEAT_KIND, status=ExecutionStatus.SUCCEEDED)
    recent_heartbeat = Execution.objects.create(kind=HEARTBEAT_KIND, status=ExecutionStatus.SUCCEEDED)
    old_other = Execution.objects.create(kind="MOVIDESK_SYNC", status=ExecutionStatus.SUCCEEDED)
    a_day_ago = timezone.now() - timedelta(hours=24, minutes=1)
    Execution.objects.filter(pk__in=[old_heartbeat.pk, old_other.pk]).update(created_at=a_day_ago)
    Execution.objects.filter(pk=recent_heartbeat.pk).update(created_at=timezone.now() - timedelta(hours=23))

    execution = Execution.objects.get(pk=heartbeat.apply().get())

    assert execution.counters == {"pruned": 1}
    assert not Execution.objects.filter(pk=old_heartbeat.pk).exists()
    assert Execution.objects.filter(pk__in=[recent_heartbeat.pk, old_other.pk]).count() == 2


def test_the_smoke_test_records_its_steps_and_who_started_it() -> None:
    result = smoke_test.apply(kwargs={"seconds": 1})

    execution = Execution.objects.get(pk=result.get())
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.trigger == Trigger.MANUAL
    assert execution.counters == {"steps_done": 2, "steps_total": 2}
    assert list(execution.log_lines.values_list("message", flat=True))[:2] == ["Passo 1 de 2.", "Passo 2 de 2."]


def test_a_smoke_test_whose_lock_is_held_is_skipped() -> None:
    assert lock_acquire(key="smoke", owner="someone-else", ttl_seconds=60)
    try:
        result = smoke_test.apply(kwargs={"seconds": 1, "lock_key": "smoke"})
    finally:
        lock_release(key="smoke", owner="someone-else")
    assert Execution.objects.get(pk=result.get()).status == ExecutionStatus.SKIPPED
