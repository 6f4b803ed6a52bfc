"""Celery tasks of orchestration: thin wrappers that call one service. acks_late is global (settings).

Every task states its own time limits: a task without them would inherit the global 30 minutes."""

from celery import Task, shared_task

from orchestration.models import Trigger
from orchestration.services.heartbeat import heartbeat_record
from orchestration.services.maintenance import database_backup_run, ledger_purge_run
from orchestration.services.notifications import notifications_process
from orchestration.services.remote_jobs import remote_jobs_tick as remote_jobs_tick_run
from orchestration.services.smoke import (
    SMOKE_TEST_ITEM_TASK,
    SMOKE_TEST_MAX_SECONDS,
    smoke_test_fan_out_run,
    smoke_test_item_run,
    smoke_test_run,
)


def trigger_of(task: Task, given: str) -> str:
    # Beat adds the periodic task's name to the message headers; anything else was sent by someone.
    return Trigger.SCHEDULE if getattr(task.request, "periodic_task_name", None) else given


@shared_task(name="orchestration.heartbeat", bind=True, soft_time_limit=20, time_limit=30)
def heartbeat(self: Task) -> int:
    return heartbeat_record(trigger=trigger_of(self, Trigger.MANUAL), task=self).pk


@shared_task(
    name="orchestration.smoke_test",
    bind=True,
    soft_time_limit=SMOKE_TEST_MAX_SECONDS + 60,
    time_limit=SMOKE_TEST_MAX_SECONDS + 90,
)
def smoke_test(
    self: Task,
    seconds: float = 0,
    lock_key: str = "",
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
) -> int:
    execution = smoke_test_run(
        seconds=seconds,
        lock_key=lock_key,
        trigger=trigger_of(self, trigger),
        execution_id=execution_id,
        task=self,
    )
    return execution.pk


@shared_task(
    name="orchestration.smoke_test_fan_out",
    bind=True,
    soft_time_limit=60,
    time_limit=90,
)
def smoke_test_fan_out(
    self: Task,
    children: int,
    seconds: float = 0,
    fail_every: int = 0,
    fail_attempts: int = 1,
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
) -> int:
    execution = smoke_test_fan_out_run(
        children=children,
        seconds=seconds,
        fail_every=fail_every,
        fail_attempts=fail_attempts,
        trigger=trigger_of(self, trigger),
        execution_id=execution_id,
        task=self,
    )
    return execution.pk


@shared_task(
    name=SMOKE_TEST_ITEM_TASK,
    bind=True,
    soft_time_limit=SMOKE_TEST_MAX_SECONDS + 60,
    time_limit=SMOKE_TEST_MAX_SECONDS + 90,
)
def smoke_test_item(self: Task, execution_id: int) -> int:
    return smoke_test_item_run(execution_id=execution_id, task=self).pk


@shared_task(name="orchestration.deliver_notifications", soft_time_limit=50, time_limit=60)
def deliver_notifications() -> dict[str, int]:
    # Every 30 s: cheap when nothing is due, and it records no Execution (the heartbeat proves beat runs).
    totals = notifications_process()
    return {"created": totals.created, "sent": totals.sent, "failed": totals.failed, "retrying": totals.retrying}


@shared_task(name="orchestration.purge_ledger", bind=True, soft_time_limit=1800, time_limit=1900)
def purge_ledger(self: Task, trigger: str = Trigger.MANUAL) -> int:
    return ledger_purge_run(trigger=trigger_of(self, trigger), task=self).pk


@shared_task(name="orchestration.backup_database", bind=True, soft_time_limit=3000, time_limit=3300)
def backup_database(self: Task, trigger: str = Trigger.MANUAL) -> int:
    return database_backup_run(trigger=trigger_of(self, trigger), task=self).pk


@shared_task(name="orchestration.remote_jobs_tick", soft_time_limit=50, time_limit=60)
def remote_jobs_tick() -> dict[str, int]:
    # Short by design: it polls what is due and returns; the next tick is a new message, so jobs running
    # remotely hold no worker between polls.
    result = remote_jobs_tick_run(reschedule=True)
    return dict(vars(result))


# The invoice pipeline's tasks (a sub-package the shared modules never import); Celery finds them here.
from orchestration.invoices import tasks as invoices_tasks  # noqa: E402,F401  isort: skip
