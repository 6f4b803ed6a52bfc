"""Runs one job inside the ledger: lock, start, log lines, counters, and its final status."""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from celery import Task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.db import models, transaction

from orchestration.exceptions import ExecutionCancelled, LockLost, TransientError
from orchestration.interrupts import Interrupted
from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger
from orchestration.services.alerts import alert_resolve
from orchestration.services.executions import (
    execution_create,
    execution_fail,
    execution_increment,
    execution_interrupt,
    execution_log,
    execution_retry,
    execution_set_counters,
    execution_skip,
    execution_start,
    execution_succeed,
)
from orchestration.services.fanout import ChildSpec, child_rate_limit_key, execution_fan_out
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.services.stale_executions import timed_out_fingerprint

logger = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job receives: write log lines and counters, check for cancellation, keep the lock alive."""

    execution: Execution
    lock_ttl: int = 0
    partial: bool = False
    fanned_out: bool = False
    # The work goes on elsewhere (a remote job, see services/remote_jobs.py): the run stays RUNNING and
    # whoever follows that work ends it.
    detached: bool = False
    _lock_renewed_at: float = field(default_factory=time.monotonic)

    @property
    def rate_limit_key(self) -> str:
        """The rate-limit bucket of this item when the execution is a fan-out child, else ''."""
        return child_rate_limit_key(self.execution)

    def fan_out(self, children: Iterable[ChildSpec], *, enqueue: bool = True) -> list[Execution]:
        """Hands the work to one child execution per item; this execution then stays RUNNING after the
        job returns and closes itself when its last child ends (`enqueue`: see execution_fan_out)."""
        created = execution_fan_out(parent=self.execution, children=children, enqueue=enqueue)
        self.fanned_out = True
        return created

    def continue_remotely(self) -> None:
        """Leaves this execution RUNNING after the job returns: a remote job's monitor ends it."""
        self.detached = True

    def log(self, message: str, level: str = LogLevel.INFO) -> None:
        execution_log(execution=self.execution, message=message, level=level)
        self.keep_alive()

    def count(self, **increments: int) -> None:
        execution_increment(execution=self.execution, **increments)

    def set_counters(self, **values: Any) -> None:
        execution_set_counters(execution=self.execution, **values)

    def checkpoint(self) -> None:
        """Raises ExecutionCancelled when someone cancelled this execution; also renews the lock."""
        status = Execution.objects.filter(pk=self.execution.pk).values_list("status", flat=True).first()
        if status == ExecutionStatus.CANCELLED:
            raise ExecutionCancelled()
        self.keep_alive()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction that commits only while this run is not cancelled: the execution's row is locked
        and checked first, so a cancel lands either before it (nothing is written) or after it commits,
        never in between. Wrap each unit of work a job commits (a page of tickets, one account)."""
        with transaction.atomic():
            status = (
                Execution.objects.select_for_update()
                .filter(pk=self.execution.pk)
                .values_list("status", flat=True)
                .first()
            )
            if status == ExecutionStatus.CANCELLED:
                raise ExecutionCancelled()
            yield
        self.keep_alive()

    def keep_alive(self) -> None:
        key = self.execution.lock_key
        # lock_ttl 0 (a context built without one) would ask Redis for an invalid 0 ms expiry.
        if key and self.lock_ttl > 0 and time.monotonic() - self._lock_renewed_at > self.lock_ttl / 3:
            if not lock_acquire(key=key, owner=str(self.execution.pk), ttl_seconds=self.lock_ttl):
                # Our lock expired and another run took it: going on would run the job twice at once.
                raise LockLost(f"A trava '{key}' expirou e foi tomada por outra execução; esta foi interrompida.")
            self._lock_renewed_at = time.monotonic()


Job = Callable[[JobContext], None]


def retry_countdown(attempt: int, error: BaseException) -> float:
    hinted = getattr(error, "retry_after", None)
    if hinted:
        return float(hinted)
    return float(min(300, 10 * 2 ** (attempt - 1)))


def _execution_for(
    kind: str,
    execution_id: int | None,
    task_id: str,
    trigger: str,
    parameters: dict[str, Any] | None,
    lock_key: str,
    subject: models.Model | None = None,
) -> Execution:
    """The execution this delivery belongs to: the given one, the one a lost delivery of the same
    Celery task started, or a new one."""
    if execution_id is not None:
        return Execution.objects.get(pk=execution_id)
    if task_id:
        existing = Execution.objects.filter(celery_task_id=task_id).first()
        if existing is not None:
            return existing
    execution = execution_create(kind=kind, trigger=trigger, parameters=parameters, lock_key=lock_key, subject=subject)
    if task_id:
        execution.celery_task_id = task_id
        execution.save(update_fields=["celery_task_id"])
    return execution


def execution_run(
    *,
    kind: str,
    job: Job,
    execution_id: int | None = None,
    trigger: str = Trigger.SCHEDULE,
    parameters: dict[str, Any] | None = None,
    lock_key: str = "",
    lock_ttl: int = 15 * 60,
    task: Task | None = None,
    max_attempts: int = 3,
    subject: models.Model | None = None,
) -> Execution:
    """Runs `job` as one Execution. A held lock records SKIPPED; a transient error retries the task."""
    task_id = task.request.id if task is not None and task.request.id else ""
    execution = _execution_for(kind, execution_id, task_id, trigger, parameters, lock_key, subject)
    if execution.is_finished:
        # A redelivered message for a run that already ended: doing it again would run it twice.
        logger.info("execution %s already %s; not running again", execution.pk, execution.status)
        return execution
    if lock_key and not execution.lock_key:
        execution.lock_key = lock_key
        execution.save(update_fields=["lock_key"])
    # A stored key wins: a fan-out child's task gets only its id, its item's lock key is on the row.
    lock_key = execution.lock_key or lock_key

    owner = str(execution.pk)
    if lock_key and not lock_acquire(key=lock_key, owner=owner, ttl_seconds=lock_ttl):
        return execution_skip(
            execution=execution, reason=f"Ignorada: outra execução de '{lock_key}' ainda está em andamento."
        )
    try:
        execution_start(execution=execution, celery_task_id=task_id)
        if execution.is_finished:
            return execution  # cancelled between the first read and the start
        context = JobContext(execution=execution, lock_ttl=lock_ttl)
        job(context)
        if context.fanned_out or context.detached:
            execution.refresh_from_db()
            return execution  # its children, or the monitor of its remote job, close it
        # A cancel that came after the last checkpoint keeps CANCELLED (the transition is conditional).
        execution_succeed(execution=execution, partial=context.partial)
        if execution.status == ExecutionStatus.SUCCEEDED:
            # Runs of this kind work again: an "abandoned runs" alert of the stale sweep is over.
            alert_resolve(fingerprint=timed_out_fingerprint(kind))
        return execution
    except ExecutionCancelled:
        execution_log(execution=execution, level=LogLevel.WARNING, message="Execução interrompida: cancelada.")
        execution.refresh_from_db()
        return execution
    except Interrupted as interruption:
        # The foreground command was stopped: end the run here (the lock is released below) and let the
        # command report it; nobody else would ever end this execution.
        execution_interrupt(execution=execution, reason=f"Interrompida: o comando recebeu {interruption.signal_name}.")
        interruption.execution_id = execution.pk
        raise
    except SoftTimeLimitExceeded as error:
        return execution_fail(execution=execution, error=error, status=ExecutionStatus.TIMED_OUT)
    except TransientError as error:
        if task is not None and execution.attempt < max_attempts:
            countdown = retry_countdown(execution.attempt, error)
            execution_retry(execution=execution, error=error, countdown=countdown)
            if execution.status != ExecutionStatus.RETRYING:
                return execution  # cancelled while it ran: no new attempt
            kwargs = {**(task.request.kwargs or {}), "execution_id": execution.pk}
            raise task.retry(exc=error, countdown=countdown, kwargs=kwargs, max_retries=max_attempts) from error
        return execution_fail(execution=execution, error=error)
    except Retry:
        raise
    except Exception as error:
        logger.exception("execution %s failed", execution.pk)
        return execution_fail(execution=execution, error=error)
    finally:
        if lock_key:
            lock_release(key=lock_key, owner=owner)
