"""Celery tasks of calendar_sync: thin, each runs one execution (by id) or one periodic fan-out.

Retries are the runner's: only TransientError (429, 5xx, connection) is retried; a revoked grant or a bad
request fails the execution at once."""

from celery import Task, shared_task

from calendar_sync.sync import (
    SYNC_ALL_KIND,
    SYNC_RECENT_KIND,
    TOKEN_CLEANUP_KIND,
    calendar_run,
)
from orchestration.models import Execution, Trigger

SOFT_TIME_LIMIT = 45 * 60
TIME_LIMIT = 50 * 60


def _run_existing(task: Task, execution_id: int) -> int:
    kind = Execution.objects.values_list("kind", flat=True).get(pk=execution_id)
    return calendar_run(kind=kind, execution_id=execution_id, task=task).pk


@shared_task(name="calendar_sync.integration_sync", bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def integration_sync(self: Task, execution_id: int) -> int:
    return _run_existing(self, execution_id)


@shared_task(name="calendar_sync.appointment_sync", bind=True, soft_time_limit=300, time_limit=360)
def appointment_sync(self: Task, execution_id: int) -> int:
    return _run_existing(self, execution_id)


@shared_task(name="calendar_sync.event_delete", bind=True, soft_time_limit=300, time_limit=360)
def event_delete(self: Task, execution_id: int) -> int:
    return _run_existing(self, execution_id)


@shared_task(name="calendar_sync.disconnect", bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def disconnect(self: Task, execution_id: int) -> int:
    return _run_existing(self, execution_id)


@shared_task(name="calendar_sync.sync_all_integrations", bind=True, soft_time_limit=300, time_limit=360)
def sync_all_integrations(self: Task, execution_id: int | None = None) -> int:
    return calendar_run(
        kind=SYNC_ALL_KIND, execution_id=execution_id, task=self, parameters={"mode": "all"}, trigger=Trigger.SCHEDULE
    ).pk


@shared_task(name="calendar_sync.sync_recent_changes", bind=True, soft_time_limit=300, time_limit=360)
def sync_recent_changes(self: Task, execution_id: int | None = None) -> int:
    return calendar_run(kind=SYNC_RECENT_KIND, execution_id=execution_id, task=self, parameters={"mode": "recent"}).pk


@shared_task(name="calendar_sync.cleanup_expired_tokens", bind=True, soft_time_limit=600, time_limit=660)
def cleanup_expired_tokens(self: Task, execution_id: int | None = None) -> int:
    return calendar_run(kind=TOKEN_CLEANUP_KIND, execution_id=execution_id, task=self).pk
