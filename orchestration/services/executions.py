"""Writes to the execution ledger: every status change of every job goes through here."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger, User

# The statuses a run can still leave. Every transition below is a conditional UPDATE from one of them, so a
# cancel that lands while the job is starting, failing or retrying is never overwritten by the worker.
ACTIVE_STATUSES = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)


def execution_create(
    *,
    kind: str,
    trigger: str = Trigger.SCHEDULE,
    parameters: dict[str, Any] | None = None,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
    lock_key: str = "",
) -> Execution:
    return Execution.objects.create(
        kind=kind,
        trigger=trigger,
        parameters=parameters or {},
        started_by=user if user and user.is_authenticated else None,
        requester_ip=ip,
        user_agent=user_agent[:300],
        lock_key=lock_key,
    )


def execution_log(*, execution: Execution, message: str, level: str = LogLevel.INFO) -> ExecutionLogLine:
    return ExecutionLogLine.objects.create(execution=execution, level=level, message=message)


def _finish(execution: Execution, status: str, line: str, level: str, **fields: Any) -> bool:
    """Moves a still-active execution to a final status with its closing line, in one transaction (a
    viewer sees both or neither). False, and nothing written, when it had already ended (e.g. cancelled)."""
    finished_at = timezone.now()
    with transaction.atomic():
        updated = Execution.objects.filter(pk=execution.pk, status__in=ACTIVE_STATUSES).update(
            status=status, finished_at=finished_at, **fields
        )
        if updated:
            execution_log(execution=execution, level=level, message=line)
    if not updated:
        execution.refresh_from_db()
        return False
    execution.status, execution.finished_at = status, finished_at
    for name, value in fields.items():
        setattr(execution, name, value)
    return True


def execution_start(*, execution: Execution, celery_task_id: str = "") -> Execution:
    """Marks the run RUNNING, unless it already ended (cancelled while queued): then it comes back finished."""
    redelivered = execution.status == ExecutionStatus.RUNNING
    again = redelivered or execution.status == ExecutionStatus.RETRYING
    attempt = execution.attempt + 1 if again else execution.attempt
    started_at = execution.started_at or timezone.now()
    task_id = celery_task_id or execution.celery_task_id
    updated = Execution.objects.filter(pk=execution.pk, status__in=ACTIVE_STATUSES).update(
        status=ExecutionStatus.RUNNING, started_at=started_at, finished_at=None, celery_task_id=task_id, attempt=attempt
    )
    if not updated:
        execution.refresh_from_db()
        return execution
    execution.status, execution.started_at, execution.finished_at = ExecutionStatus.RUNNING, started_at, None
    execution.celery_task_id, execution.attempt = task_id, attempt
    if redelivered:
        execution_log(
            execution=execution,
            level=LogLevel.WARNING,
            message=f"Retomada na tentativa {execution.attempt}: a execução anterior foi interrompida.",
        )
    return execution


def execution_set_counters(*, execution: Execution, **counters: int) -> Execution:
    execution.counters = {**execution.counters, **counters}
    execution.save(update_fields=["counters"])
    return execution


def execution_succeed(*, execution: Execution, partial: bool = False) -> Execution:
    status = ExecutionStatus.PARTIAL if partial else ExecutionStatus.SUCCEEDED
    _finish(execution, status, f"Encerrada: {ExecutionStatus(status).label}.", LogLevel.INFO)
    return execution


def execution_fail(
    *, execution: Execution, error: BaseException | str, status: str = ExecutionStatus.FAILED
) -> Execution:
    error_type = type(error).__name__ if isinstance(error, BaseException) else ""
    message = str(error) or error_type
    if not _finish(execution, status, message, LogLevel.ERROR, error=message, error_type=error_type):
        # Already ended (cancelled): the status stays, but what went wrong afterwards is still worth a line.
        execution_log(execution=execution, level=LogLevel.ERROR, message=message)
    return execution


def execution_retry(*, execution: Execution, error: BaseException, countdown: float) -> Execution:
    """RUNNING → RETRYING; a cancelled execution stays CANCELLED (the caller then must not retry)."""
    message, error_type = str(error), type(error).__name__
    with transaction.atomic():
        updated = Execution.objects.filter(pk=execution.pk, status=ExecutionStatus.RUNNING).update(
            status=ExecutionStatus.RETRYING, error=message, error_type=error_type
        )
        if updated:
            execution_log(
                execution=execution,
                level=LogLevel.WARNING,
                message=f"{error_type}: {error}. Nova tentativa em {countdown:.0f} s.",
            )
    if not updated:
        execution.refresh_from_db()
        return execution
    execution.status, execution.error, execution.error_type = ExecutionStatus.RETRYING, message, error_type
    return execution


def execution_cancel(*, execution: Execution, user: User | None = None) -> bool:
    """Asks a queued or running execution to stop. The job sees it at its next checkpoint."""
    updated = Execution.objects.filter(pk=execution.pk, status__in=ACTIVE_STATUSES).update(
        status=ExecutionStatus.CANCELLED, finished_at=timezone.now()
    )
    if updated:
        who = f" por {user}" if user else ""
        execution_log(execution=execution, level=LogLevel.WARNING, message=f"Cancelamento solicitado{who}.")
    execution.refresh_from_db()
    return bool(updated)


def execution_skip(*, execution: Execution, reason: str) -> Execution:
    _finish(execution, ExecutionStatus.SKIPPED, reason, LogLevel.WARNING)
    return execution


def execution_increment(*, execution: Execution, **increments: int) -> None:
    """Adds to counters in memory and saves them; one writer per execution, so no race."""
    for name, value in increments.items():
        execution.counters[name] = execution.counters.get(name, 0) + value
    Execution.objects.filter(pk=execution.pk).update(counters=execution.counters)
