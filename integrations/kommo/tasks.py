"""Celery tasks of the Kommo integration: thin wrappers that take ids."""

from celery import Task, shared_task

from integrations.kommo.salesbot import salesbot_continue
from integrations.kommo.sync import kommo_replica_sync_run, kommo_sync_run, kommo_sync_scheduled_run

SOFT_TIME_LIMIT = 25 * 60
TIME_LIMIT = 30 * 60


@shared_task(name="integrations.kommo_sync", bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def kommo_sync(self: Task, execution_id: int) -> int:
    return kommo_sync_run(execution_id=execution_id, task=self).pk


@shared_task(name="integrations.kommo_replica_sync", bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def kommo_replica_sync(self: Task, execution_id: int) -> int:
    return kommo_replica_sync_run(execution_id=execution_id, task=self).pk


@shared_task(
    name="integrations.kommo_sync_scheduled", bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT
)
def kommo_sync_scheduled(self: Task, sync_type: str = "full") -> int | None:
    execution = kommo_sync_scheduled_run(sync_type=sync_type, task=self)
    return execution.pk if execution is not None else None


@shared_task(name="integrations.kommo_salesbot_continue")
def kommo_salesbot_continue(account_id: int, return_url: str, execution_id: int) -> None:
    salesbot_continue(account_id=account_id, return_url=return_url, execution_id=execution_id)
