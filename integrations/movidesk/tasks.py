"""Celery tasks of the Movidesk integration: thin wrappers over one service each.

Retries are the runner's (execution_run with task=): only TransientError (429, 5xx, connection) is
retried; bad credentials, an invalid page or a missing configuration fail the execution at once.
Time limits stay below the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 1 h)."""

from celery import Task, shared_task

from integrations.movidesk.sync import movidesk_sync_demo_run, movidesk_sync_run, movidesk_sync_scheduled_run
from integrations.movidesk.windows import MovideskSyncWindow, parse_date
from orchestration.models import Trigger

SYNC_SOFT_TIME_LIMIT = 45 * 60
SYNC_TIME_LIMIT = 50 * 60


@shared_task(
    name="integrations.movidesk_sync", bind=True, soft_time_limit=SYNC_SOFT_TIME_LIMIT, time_limit=SYNC_TIME_LIMIT
)
def movidesk_sync(
    self: Task, date_from: str, date_to: str, execution_id: int | None = None, trigger: str = Trigger.API
) -> int:
    # The window was validated when the execution was created (a late start must not refuse "today").
    # `trigger` is the one the enqueue recorded; a given execution_id is run as that execution, trigger included.
    window = MovideskSyncWindow(parse_date(date_from, "from"), parse_date(date_to, "to"))
    return movidesk_sync_run(window=window, trigger=trigger, execution_id=execution_id, task=self).pk


@shared_task(
    name="integrations.movidesk_sync_scheduled",
    bind=True,
    soft_time_limit=SYNC_SOFT_TIME_LIMIT,
    time_limit=SYNC_TIME_LIMIT,
)
def movidesk_sync_scheduled(self: Task, execution_id: int | None = None) -> int:
    # execution_id is set only on a retry (the runner adds it), which keeps the first attempt's window.
    return movidesk_sync_scheduled_run(task=self, execution_id=execution_id).pk


@shared_task(
    name="integrations.movidesk_sync_demo", bind=True, soft_time_limit=SYNC_SOFT_TIME_LIMIT, time_limit=SYNC_TIME_LIMIT
)
def movidesk_sync_demo(self: Task) -> int | None:
    execution = movidesk_sync_demo_run(task=self)
    return execution.pk if execution is not None else None
