"""The app's jobs as ledger runs: the every-session check, one session's check, the cleanup and the closing
of inactive conversations. Each records one Execution under its lock; a second run while one holds the
lock is recorded as SKIPPED."""

from celery import Task

from orchestration.models import Execution, Trigger, User
from orchestration.services.executions import execution_create
from orchestration.services.runner import JobContext, execution_run
from whatsapp_health.checks import (
    CHECK_KIND,
    LOCK_KEY,
    LOCK_TTL_SECONDS,
    SESSION_CHECK_KIND,
    session_check_now,
    sessions_check_job,
)
from whatsapp_health.housekeeping import (
    CLEANUP_KIND,
    CLEANUP_LOCK_KEY,
    CONVERSATIONS_KIND,
    CONVERSATIONS_LOCK_KEY,
    conversations_close_inactive,
    sessions_cleanup,
)
from whatsapp_health.models import WhatsAppSession


def _cleanup_job(context: JobContext) -> None:
    archived = sessions_cleanup(execution=context.execution, log=context.log)
    context.set_counters(sessions_archived=archived)
    context.log(f"Limpeza concluída: {archived} sessões arquivadas.")


def _conversations_job(context: JobContext) -> None:
    closed = conversations_close_inactive()
    context.set_counters(conversations_closed=closed)
    context.log(f"{closed} conversas inativas encerradas.")


def sessions_check_run(
    *,
    execution_id: int | None = None,
    trigger: str = Trigger.SCHEDULE,
    force: bool = False,
    cleanup: bool = False,
    task: Task | None = None,
) -> Execution:
    """Checks every active session; with `cleanup` (force-sync) also archives the quiet sessions and closes
    the inactive conversations, in the same run."""

    def job(context: JobContext) -> None:
        counters = sessions_check_job(context, force=force)
        if cleanup:
            archived = sessions_cleanup(execution=context.execution, log=context.log)
            closed = conversations_close_inactive()
            context.set_counters(**counters, sessions_archived=archived, conversations_closed=closed)
            context.log(f"Limpeza: {archived} sessões arquivadas, {closed} conversas encerradas.")

    return execution_run(
        kind=CHECK_KIND,
        job=job,
        execution_id=execution_id,
        trigger=trigger,
        parameters={"force": force, "cleanup": cleanup},
        lock_key=LOCK_KEY,
        lock_ttl=LOCK_TTL_SECONDS,
        task=task,
        max_attempts=1,  # the next period's run is the retry
    )


def session_check_run(
    session: WhatsAppSession,
    *,
    force: bool = False,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> Execution:
    """Checks one session now, in the caller's thread (the API's sync-status answers with the result)."""
    execution = execution_create(
        kind=SESSION_CHECK_KIND,
        trigger=trigger,
        parameters={"session_id": session.pk, "force": force},
        user=user,
        ip=ip,
        user_agent=user_agent,
        lock_key=f"whatsapp:session:{session.pk}",
        subject=session,
    )

    def job(context: JobContext) -> None:
        outcome, result = session_check_now(session, force=force, execution=context.execution, log=context.log)
        context.set_counters(status_changed=int(outcome == "changed"), checks_failed=int(outcome == "failed"))
        if result.state is None:
            context.partial = True

    return execution_run(kind=SESSION_CHECK_KIND, job=job, execution_id=execution.pk, lock_ttl=60)


def sessions_cleanup_run(
    *, execution_id: int | None = None, trigger: str = Trigger.SCHEDULE, task: Task | None = None
) -> Execution:
    return execution_run(
        kind=CLEANUP_KIND,
        job=_cleanup_job,
        execution_id=execution_id,
        trigger=trigger,
        lock_key=CLEANUP_LOCK_KEY,
        task=task,
        max_attempts=1,
    )


def conversations_close_run(
    *, execution_id: int | None = None, trigger: str = Trigger.SCHEDULE, task: Task | None = None
) -> Execution:
    return execution_run(
        kind=CONVERSATIONS_KIND,
        job=_conversations_job,
        execution_id=execution_id,
        trigger=trigger,
        lock_key=CONVERSATIONS_LOCK_KEY,
        task=task,
        max_attempts=1,
    )
