"""Hands a Movidesk sync to a worker: the only module that imports a task, so services never do (the task
imports the services it runs; the other way round would be a cycle)."""

from datetime import date

from integrations.movidesk.sync import LOCK_KEY, SYNC_KIND
from integrations.movidesk.tasks import movidesk_sync
from integrations.movidesk.windows import window_validate
from orchestration.models import Execution, Trigger, User
from orchestration.services.executions import execution_create


def movidesk_sync_enqueue(
    *,
    date_from: date | str,
    date_to: date | str,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> Execution:
    """Validates the window, records a QUEUED execution and hands it to a worker after commit; the task
    runs that execution, with its trigger (MANUAL from the admin or the command, API from the API)."""
    window = window_validate(date_from, date_to)
    execution = execution_create(
        kind=SYNC_KIND,
        trigger=trigger,
        parameters=window.as_parameters(),
        user=user,
        ip=ip,
        user_agent=user_agent,
        lock_key=LOCK_KEY,
    )
    movidesk_sync.delay_on_commit(
        date_from=window.date_from.isoformat(),
        date_to=window.date_to.isoformat(),
        execution_id=execution.pk,
        trigger=str(trigger),
    )
    return execution
