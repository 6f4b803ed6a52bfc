"""Writes to the execution ledger: every status change of every job goes through here.

A child of a fan-out (see services/fanout.py) that ends, however it ends, asks its parent to close once
its transaction has committed: see `execution_close_parent`."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger, User
from orchestration.services.locks import lock_release
from orchestration.services.transitions import StatusMachine

# The statuses a run can still leave. Every transition below is a conditional UPDATE from one of them, so a
# cancel that lands while the job is starting, failing or retrying is never overwritten by the worker.
ACTIVE_STATUSES = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)
# Children `execution_retry_failed_children` runs again: those that went wrong. CANCELLED was someone's
# decision and SKIPPED means another run held the item's lock (it was being done): neither is retried.
RETRYABLE_STATUSES = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)

EXECUTION_MACHINE = StatusMachine(
    Execution,
    {
        ExecutionStatus.RUNNING: ACTIVE_STATUSES,  # start, resume after a redelivery or a retry countdown
        ExecutionStatus.RETRYING: {ExecutionStatus.RUNNING},
        **{status: ACTIVE_STATUSES for status in ExecutionStatus.terminal()},
        ExecutionStatus.QUEUED: RETRYABLE_STATUSES,  # a failed fan-out child queued again
    },
)


def execution_subject_fields(subject: models.Model | None) -> dict[str, Any]:
    """The columns that link an execution to `subject` (none when there is no subject)."""
    if subject is None:
        return {}
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}


def execution_create(
    *,
    kind: str,
    trigger: str = Trigger.SCHEDULE,
    parameters: dict[str, Any] | None = None,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
    lock_key: str = "",
    subject: models.Model | None = None,
) -> Execution:
    return Execution.objects.create(
        kind=kind,
        **execution_subject_fields(subject),
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
    with transaction.atomic():
        finished = EXECUTION_MACHINE.apply(execution, to=status, finished_at=timezone.now(), **fields)
        if finished:
            execution_log(execution=execution, level=level, message=line)
            _close_parent_after_commit(execution)
    return finished


def execution_start(*, execution: Execution, celery_task_id: str = "") -> Execution:
    """Marks the run RUNNING, unless it already ended (cancelled while queued): then it comes back finished."""
    redelivered = execution.status == ExecutionStatus.RUNNING
    again = redelivered or execution.status == ExecutionStatus.RETRYING
    attempt = execution.attempt + 1 if again else execution.attempt
    started_at = execution.started_at or timezone.now()
    task_id = celery_task_id or execution.celery_task_id
    started = EXECUTION_MACHINE.apply(
        execution,
        to=ExecutionStatus.RUNNING,
        started_at=started_at,
        finished_at=None,
        celery_task_id=task_id,
        attempt=attempt,
    )
    if not started:
        return execution
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
        if EXECUTION_MACHINE.apply(execution, to=ExecutionStatus.RETRYING, error=message, error_type=error_type):
            execution_log(
                execution=execution,
                level=LogLevel.WARNING,
                message=f"{error_type}: {error}. Nova tentativa em {countdown:.0f} s.",
            )
    return execution


def execution_cancel(*, execution: Execution, user: User | None = None) -> bool:
    """Asks a queued or running execution to stop. The job sees it at its next checkpoint. A fan-out
    parent takes its children that are still queued or running with it."""
    with transaction.atomic():
        cancelled = EXECUTION_MACHINE.apply(execution, to=ExecutionStatus.CANCELLED, finished_at=timezone.now())
        if cancelled:
            who = f" por {user}" if user else ""
            execution_log(execution=execution, level=LogLevel.WARNING, message=f"Cancelamento solicitado{who}.")
            if execution.lock_key:
                # Free at once, not when the worker next looks: a new run must not be SKIPPED as "still
                # running" while the ledger already shows this one CANCELLED. Pages the worker might still
                # try to commit are refused by JobContext.atomic().
                transaction.on_commit(lambda: lock_release(key=execution.lock_key, owner=str(execution.pk)))
            _close_parent_after_commit(execution)
            for child in execution.children.filter(status__in=ACTIVE_STATUSES).order_by("id"):
                execution_cancel(execution=child, user=user)
    execution.refresh_from_db()
    return cancelled


def execution_interrupt(*, execution: Execution, reason: str) -> Execution:
    """Ends a run whose process is being stopped (Ctrl-C, SIGTERM) as CANCELLED, with `reason` as its line.

    The signal may have arrived in the middle of a query: if the connection is left unusable, it is
    closed and the write is tried once more on a new one."""
    for attempt in (1, 2):
        try:
            _finish(execution, ExecutionStatus.CANCELLED, reason, LogLevel.WARNING)
            return execution
        except DatabaseError:
            if attempt == 2:
                raise
            connection.close()
    return execution


def execution_skip(*, execution: Execution, reason: str) -> Execution:
    _finish(execution, ExecutionStatus.SKIPPED, reason, LogLevel.WARNING)
    return execution


def execution_increment(*, execution: Execution, **increments: int) -> None:
    """Adds to counters in memory and saves them; one writer per execution, so no race."""
    for name, value in increments.items():
        execution.counters[name] = execution.counters.get(name, 0) + value
    Execution.objects.filter(pk=execution.pk).update(counters=execution.counters)


# Fan-out parents: closed by their last child.

CHILD_COUNTERS = {
    # counter name: the child statuses it counts
    "children_succeeded": (ExecutionStatus.SUCCEEDED,),
    "children_partial": (ExecutionStatus.PARTIAL,),
    "children_failed": RETRYABLE_STATUSES,
    "children_cancelled": (ExecutionStatus.CANCELLED,),
    "children_skipped": (ExecutionStatus.SKIPPED,),
}


def _close_parent_after_commit(execution: Execution) -> None:
    """A child that just ended asks its parent to close, after the child's transaction commits (at once
    outside one). Checking only then is what makes two children ending together safe under READ
    COMMITTED: whichever commits last sees every sibling ended."""
    parent_id = execution.parent_id
    if parent_id is not None:
        transaction.on_commit(lambda: execution_close_parent(parent_id=parent_id))


def children_summary(children: Iterable[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """The parent's final status and counters from its children's (status, counters): the sum of every
    numeric counter of theirs, plus how many children ended in which way."""
    totals: dict[str, Any] = {}
    by_status: dict[str, int] = {}
    for status, counters in children:
        by_status[status] = by_status.get(status, 0) + 1
        for name, value in (counters or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0) + value
    stats = {name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in CHILD_COUNTERS.items()}
    total = sum(by_status.values())
    if stats["children_succeeded"] == total:
        status = ExecutionStatus.SUCCEEDED  # zero children included: nothing to do is done
    elif not stats["children_succeeded"] and not stats["children_partial"]:
        status = ExecutionStatus.FAILED
    else:
        status = ExecutionStatus.PARTIAL
    return status, {**totals, "children_total": total, **stats}


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def closing_line(counters: dict[str, Any]) -> str:
    """'Encerrada: 47 de 50 itens concluídos; 3 com falha.'"""
    total = counters["children_total"]
    if not total:
        return "Encerrada: nenhum item a processar."
    done = counters["children_succeeded"] + counters["children_partial"]
    parts = [f"{done} de {_plural(total, 'item concluído', 'itens concluídos')}"]
    if counters["children_partial"]:
        parts[0] += f" ({counters['children_partial']} parcialmente)"
    if counters["children_failed"]:
        parts.append(f"{counters['children_failed']} com falha")
    if counters["children_cancelled"]:
        parts.append(_plural(counters["children_cancelled"], "cancelado", "cancelados"))
    if counters["children_skipped"]:
        parts.append(_plural(counters["children_skipped"], "ignorado", "ignorados"))
    return "Encerrada: " + "; ".join(parts) + "."


CLOSING_LEVELS: dict[str, str] = {
    ExecutionStatus.SUCCEEDED: LogLevel.INFO,
    ExecutionStatus.PARTIAL: LogLevel.WARNING,
    ExecutionStatus.FAILED: LogLevel.ERROR,
}


def execution_close_parent(*, parent_id: int) -> bool:
    """Closes a fan-out parent whose children have all ended: SUCCEEDED when all succeeded, FAILED when
    none did (not even partly), PARTIAL otherwise; counters as `children_summary`. True when this call
    closed it.

    One conditional UPDATE decides: the parent must still be active and have no active child at that
    moment. When two callers race, the second UPDATE waits on the first's row lock, then re-checks the
    parent's status and matches nothing: the parent closes once, with one closing line. The children's
    counters are read before it, which is safe because an ended child cannot change while its parent is
    active (a retry of failed children first reopens the parent, in the same transaction)."""
    active_children = Execution.objects.filter(parent_id=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    closable = Execution.objects.filter(status__in=ACTIVE_STATUSES).exclude(Exists(active_children))
    if not closable.filter(pk=parent_id).exists():
        return False  # the common case: siblings still running, or the parent already closed
    children = Execution.objects.filter(parent_id=parent_id).values_list("status", "counters")
    status, counters = children_summary(children)
    with transaction.atomic():
        closed = EXECUTION_MACHINE.apply(closable, parent_id, to=status, counters=counters, finished_at=timezone.now())
        if closed:
            ExecutionLogLine.objects.create(
                execution_id=parent_id, level=CLOSING_LEVELS[status], message=closing_line(counters)
            )
    if closed:
        # A parent that is itself a child (nested fan-out) tells its own parent.
        grandparent_id = Execution.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        if grandparent_id is not None:
            transaction.on_commit(lambda: execution_close_parent(parent_id=grandparent_id))
    return closed
