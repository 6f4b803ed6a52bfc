"""Fan-out: a run over many items is a parent Execution with one child Execution per item.

    parent = execution_create(kind="KOMMO_REPLICAS_SYNC", trigger=Trigger.SCHEDULE)
    execution_fan_out(parent=parent, children=[
        ChildSpec(task="integrations.kommo_replica_sync", kind="KOMMO_REPLICA_SYNC",
                  lock_key=f"kommo:replica:{replica.slug}", parameters={"replica_id": replica.pk})
        for replica in replicas
    ])

Each child is an ordinary execution run by its own Celery task, which receives only `execution_id` and
runs it with `execution_run(execution_id=...)`: the child's stored `lock_key` keeps the same item from
running twice at once while different items run side by side, and `child_rate_limit_key(execution)` is
the rate-limit bucket of the item. A child fails alone and can be retried alone
(`execution_retry_failed_children`); the parent closes itself when its last child ends
(`execution_close_parent` in services/executions.py, called on every way a child can end).

A job run by `execution_run` fans out through `JobContext.fan_out`: the runner then leaves its execution
RUNNING for the children to close. A parent fans out once: its children are created as one batch, and a
second call (a redelivered parent job resuming) returns the existing children.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import current_app
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, User
from orchestration.services.executions import (
    ACTIVE_STATUSES,
    EXECUTION_MACHINE,
    RETRYABLE_STATUSES,
    execution_close_parent,
    execution_log,
    execution_subject_fields,
)
from orchestration.services.transitions import IllegalTransition, transition

logger = logging.getLogger(__name__)

# Where a child keeps what the fan-out needs besides the job's own parameters.
FAN_OUT_PARAMETER = "fan_out"
# A closed parent whose failed children are queued again goes back to RUNNING from one of these.
REOPENABLE_STATUSES = (ExecutionStatus.PARTIAL, ExecutionStatus.FAILED)


@dataclass(frozen=True)
class ChildSpec:
    """One item of a fan-out: the Celery task (by name) that runs it, its execution kind and parameters,
    the lock key that keeps this item from running twice at once, and its rate-limit bucket (the lock key
    when not given)."""

    task: str
    kind: str
    lock_key: str
    parameters: dict[str, Any] = field(default_factory=dict)
    rate_limit_key: str = ""
    # The item itself (a Kommo account, a WhatsApp session, an invoice process), linked as the child's subject.
    subject: models.Model | None = None


class NothingToRetry(IllegalTransition):
    """A retry of failed children asked of a parent that is still running or has none that failed."""


def child_rate_limit_key(execution: Execution) -> str:
    """The rate-limit bucket of a fan-out child ('' for an execution that is not one)."""
    return str((execution.parameters.get(FAN_OUT_PARAMETER) or {}).get("rate_limit_key", ""))


def _child_task(execution: Execution) -> str:
    return str((execution.parameters.get(FAN_OUT_PARAMETER) or {}).get("task", ""))


def _enqueue(task: str, execution_id: int, task_id: str) -> None:
    current_app.send_task(task, kwargs={"execution_id": execution_id}, task_id=task_id)


def _enqueue_after_commit(children: Iterable[Execution]) -> None:
    for child in children:
        # robust: a broker error for one child must not keep the others from being sent; an unsent child
        # stays QUEUED until the stale sweep times it out, which then counts for its parent.
        transaction.on_commit(partial(_enqueue, _child_task(child), child.pk, child.celery_task_id), robust=True)


def _validated(specs: list[ChildSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not spec.task or not spec.kind or not spec.lock_key:
            raise ValidationFailed(gettext("Cada item precisa de tarefa, tipo e chave de exclusividade."))
        if spec.lock_key in seen:
            raise ValidationFailed(
                gettext("Chave de exclusividade repetida entre os itens: %(key)s.") % {"key": spec.lock_key}
            )
        seen.add(spec.lock_key)


def execution_fan_out(*, parent: Execution, children: Iterable[ChildSpec], enqueue: bool = True) -> list[Execution]:
    """Creates one QUEUED child per spec and hands each to its task after commit; the parent goes
    RUNNING. With no children the parent closes at once as SUCCEEDED. IllegalTransition when the parent
    has already ended (e.g. it was cancelled).

    `enqueue=False` sends no task: the caller hands the children on itself (e.g. to the remote-job monitor,
    services/remote_jobs.py, so a thousand invoices are not a thousand tasks); the task stays recorded for
    `execution_retry_failed_children`."""
    specs = list(children)
    _validated(specs)
    now = timezone.now()
    with transaction.atomic():
        EXECUTION_MACHINE.apply_or_raise(
            parent, to=ExecutionStatus.RUNNING, started_at=parent.started_at or now, finished_at=None
        )
        # The UPDATE above holds the parent's row lock: a second fan-out (a redelivered parent job) waits
        # here and then finds the children of the first instead of making another set.
        existing = list(parent.children.order_by("id"))
        if existing:
            return existing
        created = Execution.objects.bulk_create(
            Execution(
                kind=spec.kind,
                parent=parent,
                trigger=parent.trigger,
                started_by_id=parent.started_by_id,
                requester_ip=parent.requester_ip,
                user_agent=parent.user_agent,
                parameters={
                    **spec.parameters,
                    FAN_OUT_PARAMETER: {"task": spec.task, "rate_limit_key": spec.rate_limit_key or spec.lock_key},
                },
                lock_key=spec.lock_key,
                **execution_subject_fields(spec.subject),
                # Known before sending, so the ledger links each child to its message from the start.
                celery_task_id=str(uuid.uuid4()),
            )
            for spec in specs
        )
        execution_log(execution=parent, message=f"Distribuída em {len(created)} itens.")
        if enqueue:
            _enqueue_after_commit(created)
        if not created:
            transaction.on_commit(lambda: execution_close_parent(parent_id=parent.pk))
    return created


def execution_retry_failed_children(*, parent: Execution, user: User | None = None) -> list[Execution]:
    """Queues again the children that FAILED or TIMED_OUT (not the cancelled or skipped ones, see
    RETRYABLE_STATUSES), each by a conditional update to QUEUED with its attempt + 1 and its error and
    counters cleared, reopens the parent (PARTIAL or FAILED → RUNNING) and sends them after commit. The children
    that succeeded are not touched. NothingToRetry (409 on the API) when the parent is still running, was
    cancelled or has no failed child."""
    who = f" por {user}" if user and user.is_authenticated else ""
    with transaction.atomic():
        # Reopened first: while the parent is active no closing can read the children being reset.
        if not transition(parent, from_statuses=REOPENABLE_STATUSES, to=ExecutionStatus.RUNNING, finished_at=None):
            raise _nothing_to_retry(parent)
        retried = [
            child
            for child in parent.children.filter(status__in=RETRYABLE_STATUSES).order_by("id")
            if EXECUTION_MACHINE.apply(
                child,
                to=ExecutionStatus.QUEUED,
                attempt=F("attempt") + 1,
                counters={},  # the item starts over; what the failed attempt did is in its log lines
                error="",
                error_type="",
                started_at=None,
                finished_at=None,
                celery_task_id=str(uuid.uuid4()),
            )
        ]
        if retried:
            ExecutionLogLine.objects.bulk_create(
                ExecutionLogLine(
                    execution=child,
                    level=LogLevel.WARNING,
                    message=f"Nova tentativa solicitada{who} (tentativa {child.attempt}).",
                )
                for child in retried
            )
            execution_log(
                execution=parent,
                level=LogLevel.WARNING,
                message=f"Nova tentativa solicitada{who} para {len(retried)} itens com falha.",
            )
            _enqueue_after_commit(retried)
        else:
            transaction.set_rollback(True)  # undo the reopening
    if not retried:
        raise _nothing_to_retry(parent)
    return retried


def execution_retry_failed_child(*, child: Execution, user: User | None = None) -> Execution:
    """Queues again ONE fan-out child that FAILED or TIMED_OUT, by the rules of
    `execution_retry_failed_children`: a conditional update to QUEUED with its attempt + 1 and its error and
    counters cleared, its parent reopened (PARTIAL or FAILED → RUNNING; a parent still running stays so and
    closes when its children, this one included, end) and the child sent to its task after commit. Its
    siblings are not touched. NothingToRetry (409) when it is not a fan-out child with a task, did not fail,
    or its parent was cancelled."""
    task = _child_task(child)
    if child.parent_id is None or not task:
        raise NothingToRetry(gettext("Esta execução não é um item de uma execução distribuída; não há o que repetir."))
    who = f" por {user}" if user and user.is_authenticated else ""
    with transaction.atomic():
        # The parent's row lock first: a sibling closing the parent right now waits, then sees this child active.
        parent = Execution.objects.select_for_update().get(pk=child.parent_id)
        reopened = parent.status in REOPENABLE_STATUSES and transition(
            parent, from_statuses=REOPENABLE_STATUSES, to=ExecutionStatus.RUNNING, finished_at=None
        )
        if not reopened and parent.status not in ACTIVE_STATUSES:
            raise _child_not_retryable(child, parent)
        queued = EXECUTION_MACHINE.apply(
            child,
            to=ExecutionStatus.QUEUED,
            attempt=F("attempt") + 1,
            counters={},
            error="",
            error_type="",
            started_at=None,
            finished_at=None,
            celery_task_id=str(uuid.uuid4()),
        )
        if not queued:
            raise _child_not_retryable(child, parent)  # leaving the block undoes the reopening
        execution_log(
            execution=child,
            level=LogLevel.WARNING,
            message=f"Nova tentativa solicitada{who} (tentativa {child.attempt}).",
        )
        execution_log(
            execution=parent,
            level=LogLevel.WARNING,
            message=f"Nova tentativa solicitada{who} para o item #{child.pk}.",
        )
        _enqueue_after_commit([child])
    return child


def _child_not_retryable(child: Execution, parent: Execution) -> NothingToRetry:
    child.refresh_from_db()
    if child.status in ACTIVE_STATUSES:
        message = gettext("Este item já está na fila ou em andamento.")
    elif child.status not in RETRYABLE_STATUSES:
        message = gettext("Um item na situação “%(status)s” não é repetido.") % {"status": child.get_status_display()}
    else:
        message = gettext("A execução principal está “%(status)s”; seus itens não são repetidos.") % {
            "status": parent.get_status_display()
        }
    return NothingToRetry(message, current=child.status, target=ExecutionStatus.QUEUED)


def _nothing_to_retry(parent: Execution) -> NothingToRetry:
    parent.refresh_from_db()
    if parent.status in ACTIVE_STATUSES:
        message = gettext("A execução ainda está em andamento; aguarde o fim dos itens.")
    elif parent.status not in REOPENABLE_STATUSES:
        message = gettext("Uma execução na situação “%(status)s” não tem itens com falha a repetir.") % {
            "status": parent.get_status_display()
        }
    else:
        message = gettext("Nenhum item com falha para executar de novo.")
    return NothingToRetry(message, current=parent.status, target=ExecutionStatus.RUNNING)
