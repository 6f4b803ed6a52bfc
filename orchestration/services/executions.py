"""Writes to the execution ledger: every status change of every job goes through here."""

from typing import Any

from django.utils import timezone

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger, User


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


def _finish(execution: Execution, status: str, **fields: Any) -> Execution:
    execution.status = status
    execution.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(execution, name, value)
    execution.save(update_fields=["status", "finished_at", *fields])
    return execution


def execution_start(*, execution: Execution, celery_task_id: str = "") -> Execution:
    redelivered = execution.status == ExecutionStatus.RUNNING
    if redelivered or execution.status == ExecutionStatus.RETRYING:
        execution.attempt += 1
    execution.status = ExecutionStatus.RUNNING
    execution.started_at = execution.started_at or timezone.now()
    execution.finished_at = None
    execution.celery_task_id = celery_task_id or execution.celery_task_id
    execution.save(update_fields=["status", "started_at", "finished_at", "celery_task_id", "attempt"])
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
    execution_log(execution=execution, message=f"Encerrada: {ExecutionStatus(status).label}.")
    return _finish(execution, status)


def execution_fail(
    *, execution: Execution, error: BaseException | str, status: str = ExecutionStatus.FAILED
) -> Execution:
    error_type = type(error).__name__ if isinstance(error, BaseException) else ""
    message = str(error) or error_type
    execution_log(execution=execution, level=LogLevel.ERROR, message=message)
    return _finish(execution, status, error=message, error_type=error_type)


def execution_retry(*, execution: Execution, error: BaseException, countdown: float) -> Execution:
    execution_log(
        execution=execution,
        level=LogLevel.WARNING,
        message=f"{type(error).__name__}: {error}. Nova tentativa em {countdown:.0f} s.",
    )
    execution.status = ExecutionStatus.RETRYING
    execution.error, execution.error_type = str(error), type(error).__name__
    execution.save(update_fields=["status", "error", "error_type"])
    return execution


def execution_cancel(*, execution: Execution, user: User | None = None) -> bool:
    """Asks a queued or running execution to stop. The job sees it at its next checkpoint."""
    updated = Execution.objects.filter(
        pk=execution.pk, status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING]
    ).update(status=ExecutionStatus.CANCELLED, finished_at=timezone.now())
    if updated:
        who = f" por {user}" if user else ""
        execution_log(execution=execution, level=LogLevel.WARNING, message=f"Cancelamento solicitado{who}.")
    execution.refresh_from_db()
    return bool(updated)


def execution_skip(*, execution: Execution, reason: str) -> Execution:
    execution_log(execution=execution, level=LogLevel.WARNING, message=reason)
    return _finish(execution, ExecutionStatus.SKIPPED)


def execution_increment(*, execution: Execution, **increments: int) -> None:
    """Adds to counters in memory and saves them; one writer per execution, so no race."""
    for name, value in increments.items():
        execution.counters[name] = execution.counters.get(name, 0) + value
    Execution.objects.filter(pk=execution.pk).update(counters=execution.counters)
