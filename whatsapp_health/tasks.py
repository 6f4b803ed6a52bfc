"""Celery tasks of whatsapp_health: thin wrappers over one run each (see runs.py). Only enqueue.py imports
them; the schedules name them."""

from celery import Task, shared_task

from whatsapp_health.runs import conversations_close_run, sessions_check_run, sessions_cleanup_run
from whatsapp_health.schedules import CHECK_TASK, CLEANUP_TASK, CONVERSATIONS_TASK


@shared_task(name=CHECK_TASK, bind=True, soft_time_limit=8 * 60, time_limit=9 * 60)
def check_sessions(self: Task, execution_id: int | None = None, force: bool = False, cleanup: bool = False) -> int:
    return sessions_check_run(execution_id=execution_id, force=force, cleanup=cleanup, task=self).pk


@shared_task(name=CLEANUP_TASK, bind=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def cleanup_sessions(self: Task, execution_id: int | None = None) -> int:
    return sessions_cleanup_run(execution_id=execution_id, task=self).pk


@shared_task(name=CONVERSATIONS_TASK, bind=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def close_inactive_conversations(self: Task, execution_id: int | None = None) -> int:
    return conversations_close_run(execution_id=execution_id, task=self).pk
