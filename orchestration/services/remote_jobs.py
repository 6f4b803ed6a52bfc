"""The remote-job monitor: jobs that run elsewhere, followed by short ticks that hold no worker in between.

    remote_job_enqueue(execution=execution, handler="rpa.download", subject_key="invoice:42", parameters={...})

A tick (`remote_jobs_tick`, a Celery task that beat runs every REMOTE_JOBS_TICK_SECONDS and that reschedules
itself for the next due poll while jobs are active) does three things, each claimed by a conditional UPDATE so
that any number of concurrent ticks never do the same thing twice:

1. ends the jobs past their deadline (TIMED_OUT for their handler);
2. polls the RUNNING jobs whose `next_poll_at` is due: status first, then the log from `log_cursor` (so the
   lines of a finished job are all there), the lines written into the Execution's log (the live stream shows
   them), the cursor moved in the same transaction. A poll claims its job by pushing `next_poll_at` a lease
   ahead, so a job is polled at most once per interval however many ticks run or people watch;
3. starts WAITING jobs while their pool has free slots. The slot, unique per pool in the database, is taken
   and committed *before* the start request (the durable intent), and the remote id is committed as soon as
   the answer is read. A worker killed after that leaves a RUNNING job that the next tick polls; one killed
   while the request was in flight leaves a STARTING job whose outcome nobody knows: it is never started
   again, it waits out its deadline and ends TIMED_OUT (by then a job the server did start is over), so one
   subject never has two jobs at once. A busy answer (RemoteBusy) gives the slot back and waits."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from orchestration.exceptions import OrchestraError
from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, RemoteJob, RemoteJobState
from orchestration.registries.remote_jobs import (
    RemoteBusy,
    RemoteJobHandler,
    remote_job_handler,
    remote_job_handlers,
)
from orchestration.services.remote_job_threads import remote_jobs_each
from orchestration.services.transitions import transition

logger = logging.getLogger(__name__)

TICK_TASK = "orchestration.remote_jobs_tick"
# A poll or a start holds its job this long at most; a worker that dies mid-call frees it after that.
LEASE_SECONDS = 60
BATCH = 200
PENDING_TICK_KEY = "orquestra:remote-jobs:tick-pending"
_BUSY_KEY = "orquestra:remote-jobs:busy:"


class RemoteJobActive(OrchestraError):
    """The subject already has a remote job waiting or running."""


@dataclass
class TickResult:
    """What one tick did (counted from several threads: `+=` on an int attribute is atomic enough here,
    the figures are for logs and tests)."""

    started: int = 0
    busy: int = 0
    polled: int = 0
    finished: int = 0
    timed_out: int = 0
    failed_to_start: int = 0
    lines: int = 0


def remote_job_enqueue(
    *,
    execution: Execution,
    handler: str,
    subject_key: str,
    parameters: dict[str, Any] | None = None,
    delay_seconds: float = 0,
) -> RemoteJob:
    """A WAITING job for `execution`; the next tick starts it when a slot is free. RemoteJobActive when the
    subject already has an active one (the database constraint decides, so two callers cannot both win)."""
    pool = remote_job_handler(handler).pool
    not_before = timezone.now() + timedelta(seconds=delay_seconds) if delay_seconds else None
    try:
        with transaction.atomic():
            job = RemoteJob.objects.create(
                execution=execution,
                handler=handler,
                pool=pool,
                subject_key=subject_key,
                parameters=parameters or {},
                not_before=not_before,
            )
    except IntegrityError:
        raise RemoteJobActive(subject_key) from None
    transaction.on_commit(lambda: remote_jobs_kick(countdown=delay_seconds))
    return job


@dataclass(frozen=True)
class RemoteJobSpec:
    execution: Execution
    handler: str
    subject_key: str
    parameters: dict[str, Any]


def remote_jobs_hand_over(specs: list[RemoteJobSpec], *, message: str = "") -> list[Execution]:
    """Many QUEUED executions (fan-out children created with `enqueue=False`) handed to the monitor at
    once: each goes RUNNING with a WAITING job, in a few queries whatever their number. Returns the
    executions that could not be handed over because their subject already had an active job (the caller
    ends them); executions no longer QUEUED (a redelivered parent) are left alone."""
    now = timezone.now()
    queued = set(
        Execution.objects.filter(
            pk__in=[spec.execution.pk for spec in specs], status=ExecutionStatus.QUEUED
        ).values_list("pk", flat=True)
    )
    specs = [spec for spec in specs if spec.execution.pk in queued]
    if not specs:
        return []
    with transaction.atomic():
        RemoteJob.objects.bulk_create(
            (
                RemoteJob(
                    execution=spec.execution,
                    handler=spec.handler,
                    pool=remote_job_handler(spec.handler).pool,
                    subject_key=spec.subject_key,
                    parameters=spec.parameters,
                )
                for spec in specs
            ),
            batch_size=500,
            ignore_conflicts=True,  # a subject with an active job keeps it; its execution is returned
        )
        handed = set(
            RemoteJob.objects.filter(
                execution_id__in=[spec.execution.pk for spec in specs], state__in=RemoteJobState.active()
            ).values_list("execution_id", flat=True)
        )
        Execution.objects.filter(pk__in=handed, status=ExecutionStatus.QUEUED).update(
            status=ExecutionStatus.RUNNING, started_at=now
        )
        if message:
            ExecutionLogLine.objects.bulk_create(
                (ExecutionLogLine(execution_id=pk, level=LogLevel.INFO, message=message) for pk in handed),
                batch_size=500,
            )
    transaction.on_commit(remote_jobs_kick)
    return [spec.execution for spec in specs if spec.execution.pk not in handed]


def remote_jobs_kick(countdown: float = 0) -> None:
    """Asks for a tick soon (at most one pending at a time; the beat schedule is the safety net)."""
    countdown = max(0.0, countdown)
    if cache.add(PENDING_TICK_KEY, "1", timeout=int(countdown) + 5):
        try:
            current_app.send_task(TICK_TASK, countdown=countdown or None, expires=countdown + 60)
        except Exception:
            cache.delete(PENDING_TICK_KEY)
            logger.exception("could not enqueue a remote-jobs tick")


def _log(execution_id: int, message: str, level: str = LogLevel.INFO) -> None:
    ExecutionLogLine.objects.create(execution_id=execution_id, level=level, message=message)


def _release_fields(now: datetime, **fields: Any) -> dict[str, Any]:
    return {"slot": None, "finished_at": now, "next_poll_at": None, **fields}


# 1. deadlines ---------------------------------------------------------------------------------------


def _time_out(job: RemoteJob, handler: RemoteJobHandler, now: datetime) -> bool:
    with transaction.atomic():
        ended = transition(
            job,
            from_statuses=(RemoteJobState.STARTING, RemoteJobState.RUNNING),
            to=RemoteJobState.FINISHED,
            field="state",
            **_release_fields(now, error="timeout"),
        )
        if ended:
            handler.on_timed_out(job)
    return ended


# 2. polls -------------------------------------------------------------------------------------------


def _claim_poll(job: RemoteJob, now: datetime) -> bool:
    lease = now + timedelta(seconds=LEASE_SECONDS)
    return bool(
        RemoteJob.objects.filter(pk=job.pk, state=RemoteJobState.RUNNING, next_poll_at__lte=now).update(
            next_poll_at=lease
        )
    )


def _poll(job: RemoteJob, handler: RemoteJobHandler, client: Any, result: TickResult) -> None:
    try:
        state = handler.status(client, job)
        page = handler.logs(client, job, job.log_cursor)
    except Exception as error:  # the job is polled again at the next interval; its deadline still holds
        logger.warning("remote job %s: poll failed: %s", job.pk, error)
        RemoteJob.objects.filter(pk=job.pk, state=RemoteJobState.RUNNING).update(
            next_poll_at=timezone.now() + timedelta(seconds=handler.poll_seconds()), error=str(error)[:2000]
        )
        _log(job.execution_id, f"Falha ao consultar o job remoto {job.remote_id}: {error}", LogLevel.WARNING)
        return
    result.polled += 1
    now = timezone.now()
    with transaction.atomic():
        moved = RemoteJob.objects.filter(pk=job.pk, state=RemoteJobState.RUNNING, log_cursor=job.log_cursor).update(
            log_cursor=page.next_cursor,
            remote_status=state.status,
            polls=job.polls + 1,
            next_poll_at=now + timedelta(seconds=handler.poll_seconds()),
        )
        if moved and page.lines:
            ExecutionLogLine.objects.bulk_create(
                ExecutionLogLine(execution_id=job.execution_id, level=line.level, message=line.message)
                for line in page.lines
            )
            result.lines += len(page.lines)
    if not moved or not state.finished:
        return
    job.refresh_from_db()
    collected = handler.collect(client, job, state)
    with transaction.atomic():
        ended = transition(
            job,
            from_statuses=(RemoteJobState.RUNNING,),
            to=RemoteJobState.FINISHED,
            field="state",
            **_release_fields(timezone.now(), result=state.result, error=state.error[:2000]),
        )
        if ended:
            handler.on_finished(job, state, collected)
            result.finished += 1


# 3. starts ------------------------------------------------------------------------------------------


def _claim_slot(job: RemoteJob, handler: RemoteJobHandler, slots: int, now: datetime) -> bool:
    taken = set(RemoteJob.objects.filter(pool=job.pool, slot__isnull=False).values_list("slot", flat=True))
    for slot in range(slots):
        if slot in taken:
            continue
        try:
            with transaction.atomic():
                claimed = transition(
                    job,
                    from_statuses=(RemoteJobState.WAITING,),
                    to=RemoteJobState.STARTING,
                    field="state",
                    slot=slot,
                    started_at=now,
                    deadline_at=now + timedelta(seconds=handler.timeout_seconds()),
                    next_poll_at=None,
                )
                if claimed:
                    handler.on_claimed(job)
                return claimed
        except IntegrityError:
            continue  # another tick took this slot a moment ago
    return False


def _start(job: RemoteJob, handler: RemoteJobHandler, client: Any, result: TickResult) -> bool:
    """Starts one claimed job; False when the remote side is busy (stop starting in this pool)."""
    try:
        remote_id = handler.start(client, job)
    except RemoteBusy as busy:
        with transaction.atomic():
            if transition(
                job,
                from_statuses=(RemoteJobState.STARTING,),
                to=RemoteJobState.WAITING,
                field="state",
                slot=None,
                started_at=None,
                deadline_at=None,
                not_before=timezone.now() + timedelta(seconds=busy.retry_after),
                busy_answers=job.busy_answers + 1,
            ):
                handler.on_busy(job)
        cache.set(_BUSY_KEY + job.pool, "1", timeout=max(1, round(busy.retry_after)))
        result.busy += 1
        return False
    except Exception as error:
        with transaction.atomic():
            if transition(
                job,
                from_statuses=(RemoteJobState.STARTING,),
                to=RemoteJobState.FINISHED,
                field="state",
                **_release_fields(timezone.now(), error=str(error)[:2000]),
            ):
                handler.on_start_failed(job, error)
        result.failed_to_start += 1
        return True
    now = timezone.now()
    with transaction.atomic():
        RemoteJob.objects.filter(pk=job.pk, state=RemoteJobState.STARTING).update(
            state=RemoteJobState.RUNNING,
            remote_id=remote_id,
            next_poll_at=now + timedelta(seconds=handler.poll_seconds()),
        )
        _log(job.execution_id, f"Job remoto {remote_id} iniciado ({handler.name}).")
    result.started += 1
    return True


def _claim_waiting(pool: str, handlers: dict[str, RemoteJobHandler]) -> list[RemoteJob]:
    """WAITING jobs of `pool` given a free slot each (oldest first), while slots are free."""
    if cache.get(_BUSY_KEY + pool):
        return []
    size = min(handler.pool_size() for handler in handlers.values())
    now = timezone.now()
    free = size - RemoteJob.objects.filter(pool=pool, slot__isnull=False).count()
    if free <= 0:
        return []
    waiting = (
        RemoteJob.objects.filter(pool=pool, state=RemoteJobState.WAITING, handler__in=list(handlers))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("not_before", "id")[: free * 2]
    )
    claimed: list[RemoteJob] = []
    for job in waiting:
        if len(claimed) >= free:
            break
        if _claim_slot(job, handlers[job.handler], size, now):
            claimed.append(job)
    return claimed


# the tick -------------------------------------------------------------------------------------------


def remote_jobs_tick(*, reschedule: bool = False, threads: int | None = None) -> TickResult:
    """One pass of the monitor (see the module docstring); with `reschedule`, asks for the next tick.
    Polls and starts run on REMOTE_JOBS_TICK_THREADS threads (one on SQLite, whose writers queue anyway)."""
    cache.delete(PENDING_TICK_KEY)
    result = TickResult()
    handlers = {handler.name: handler for handler in remote_job_handlers()}
    active = RemoteJob.objects.filter(state__in=RemoteJobState.active(), handler__in=list(handlers))
    if not active.exists():
        return result
    threads = settings.REMOTE_JOBS_TICK_THREADS if threads is None else threads
    if connection.vendor == "sqlite":
        threads = 1
    now = timezone.now()
    for job in active.filter(state__in=(RemoteJobState.STARTING, RemoteJobState.RUNNING), deadline_at__lte=now)[:BATCH]:
        if _time_out(job, handlers[job.handler], now):
            result.timed_out += 1
    due = active.filter(state=RemoteJobState.RUNNING, next_poll_at__lte=now).order_by("next_poll_at")[:BATCH]
    claimed = [job for job in due if _claim_poll(job, now)]
    remote_jobs_each(
        claimed, lambda job, clients: _poll(job, handlers[job.handler], clients[job.handler], result), handlers, threads
    )
    pools: dict[str, dict[str, RemoteJobHandler]] = {}
    for handler in handlers.values():
        pools.setdefault(handler.pool, {})[handler.name] = handler
    for pool, members in pools.items():
        starting = _claim_waiting(pool, members)
        remote_jobs_each(
            starting,
            lambda job, clients: _start(job, handlers[job.handler], clients[job.handler], result),
            handlers,
            threads,
        )
    if reschedule:
        delay = remote_jobs_next_due_in()
        if delay is not None:
            remote_jobs_kick(countdown=delay)
    return result


def remote_jobs_next_due_in(now: datetime | None = None) -> float | None:
    """Seconds until the monitor has something to do (a poll, a deadline, a waiting job); None when idle."""
    now = now or timezone.now()
    active = RemoteJob.objects.filter(state__in=RemoteJobState.active())
    if not active.exists():
        return None
    moments = active.aggregate(
        poll=Min("next_poll_at", filter=Q(state=RemoteJobState.RUNNING)),
        deadline=Min("deadline_at"),
        waiting=Min("not_before", filter=Q(state=RemoteJobState.WAITING)),
    )
    candidates = [moment for moment in moments.values() if moment is not None]
    if active.filter(state=RemoteJobState.WAITING, not_before__isnull=True).exists():
        candidates.append(now + timedelta(seconds=1))
    if not candidates:
        return 1.0
    return float(max(0.05, min((moment - now).total_seconds() for moment in candidates)))
