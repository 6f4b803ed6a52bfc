"""What download (flow 2) and SAT upload (flow 5) share: a run fanned out to one child per process, each
child handing its process to the remote-job monitor, attempts counted on the process, retries with backoff,
and the final failure with its alert.

A step is a `RemoteStep`: the status a process must be in, its attempts field, its kinds and task names."""

from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from orchestration.invoices.models import InvoiceProcess
from orchestration.invoices.services.alerts import invoice_failure_alert
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import RUN_PERMISSION, _require, carrier_by_code, subject_key
from orchestration.models import Execution, ExecutionStatus, LogLevel, RemoteJob, RemoteJobState, Trigger
from orchestration.services.executions import (
    EXECUTION_MACHINE,
    execution_create,
    execution_fail,
    execution_log,
    execution_skip,
    execution_start,
)
from orchestration.services.fanout import ChildSpec
from orchestration.services.remote_jobs import RemoteJobActive, RemoteJobSpec, remote_job_enqueue, remote_jobs_hand_over
from orchestration.services.runner import JobContext, execution_run
from orchestration.services.transitions import IllegalTransition


@dataclass(frozen=True)
class RemoteStep:
    name: str  # "download" or "sat"
    status: str  # the InvoiceStatus a process must be in
    attempts_field: str
    run_kind: str
    child_kind: str
    child_task: str
    handler: str
    label: str  # pt-BR, for log lines


def step_candidates(step: RemoteStep, *, carrier_code: str = "", month: Any = None) -> models.QuerySet[InvoiceProcess]:
    """Processes a scheduled run takes: in the step's status, attempts left, no RPA job active."""
    busy = RemoteJob.objects.filter(state__in=RemoteJobState.active(), subject_key__startswith="invoice:")
    busy_ids = [int(key.split(":", 1)[1]) for key in busy.values_list("subject_key", flat=True)]
    processes = InvoiceProcess.objects.filter(
        status=step.status,
        **{f"{step.attempts_field}__lt": settings.RPA_MAX_ATTEMPTS},
        account__is_active=True,
        account__carrier__is_active=True,
        account__carrier__has_rpa=True,
    ).exclude(pk__in=busy_ids)
    if carrier_code:
        processes = processes.filter(account__carrier=carrier_by_code(carrier_code))
    if month is not None:
        processes = processes.filter(month=month)
    return processes.order_by("month", "id")


def step_run(
    step: RemoteStep,
    *,
    carrier_code: str = "",
    month: Any = None,
    trigger: str = Trigger.SCHEDULE,
    actor: Actor | None = None,
    execution_id: int | None = None,
    task: Any = None,
) -> Execution:
    """The parent run: one child per candidate process (fan-out); it closes when its last child ends."""
    parameters = {"carrier": carrier_code, "month": month.strftime("%m/%Y") if month else ""}

    def job(context: JobContext) -> None:
        processes = list(step_candidates(step, carrier_code=carrier_code, month=month).select_related("account"))
        context.log(_("%(count)d processos a processar (%(step)s).") % {"count": len(processes), "step": step.label})
        # One child execution per process, handed straight to the remote-job monitor: no task per process
        # (the child's task is kept for "retry the failed items").
        with transaction.atomic():
            children = context.fan_out(
                (
                    ChildSpec(
                        task=step.child_task,
                        kind=step.child_kind,
                        lock_key=f"{subject_key(process)}:{step.name}",
                        parameters={"process_id": process.pk},
                        subject=process,
                    )
                    for process in processes
                ),
                enqueue=False,
            )
            refused = remote_jobs_hand_over(
                [
                    RemoteJobSpec(
                        execution=child,
                        handler=step.handler,
                        subject_key=subject_key(child.parameters["process_id"]),
                        parameters={"process_id": child.parameters["process_id"], "step": step.name},
                    )
                    for child in children
                ],
                message=_("Aguardando vaga no servidor RPA (no máximo %(max)d jobs ao mesmo tempo).")
                % {"max": settings.RPA_MAX_CONCURRENT_JOBS},
            )
            for child in refused:
                execution_skip(execution=child, reason=_("Ignorada: já há um job do servidor RPA para este processo."))

    if actor is not None and actor.user is not None and execution_id is None:
        execution_id = execution_create(kind=step.run_kind, parameters=parameters, **actor.execution_fields()).pk
    return execution_run(
        kind=step.run_kind,
        job=job,
        execution_id=execution_id,
        trigger=trigger,
        parameters=parameters,
        lock_key=f"invoices:{step.name}-run",
        task=task,
    )


def step_child_run(step: RemoteStep, *, execution_id: int, task: Any = None) -> Execution:
    """One process: hands it to the monitor as a WAITING remote job; the monitor ends this execution."""

    def job(context: JobContext) -> None:
        execution = context.execution
        if execution.remote_jobs.filter(state__in=RemoteJobState.active()).exists():
            context.continue_remotely()  # a redelivered message: the job is already the monitor's
            return
        process = InvoiceProcess.objects.select_related("account__carrier").get(pk=execution.parameters["process_id"])
        if process.status != step.status:
            execution_skip(
                execution=execution,
                reason=_("Ignorada: o processo está em “%(status)s”.") % {"status": process.get_status_display()},
            )
            return
        try:
            remote_job_enqueue(
                execution=execution,
                handler=step.handler,
                subject_key=subject_key(process),
                parameters={"process_id": process.pk, "step": step.name},
            )
        except RemoteJobActive:
            execution_skip(execution=execution, reason=_("Ignorada: já há um job do servidor RPA para este processo."))
            return
        context.log(
            _("%(process)s: aguardando vaga no servidor RPA (no máximo %(max)d jobs ao mesmo tempo).")
            % {"process": process, "max": settings.RPA_MAX_CONCURRENT_JOBS}
        )
        context.continue_remotely()

    return execution_run(kind=step.child_kind, job=job, execution_id=execution_id, task=task)


def step_request(step: RemoteStep, *, process: InvoiceProcess, actor: Actor, reset_attempts: bool = False) -> Execution:
    """One process's step asked for by a person (API, admin): the child execution, QUEUED and sent to its
    task after commit. IllegalTransition (409) in the wrong status or with a job already active."""
    _require(actor, RUN_PERMISSION)
    with transaction.atomic():
        current = InvoiceProcess.objects.select_for_update().get(pk=process.pk)
        if current.status != step.status:
            raise IllegalTransition(
                _("O processo está em “%(status)s”; %(step)s só a partir de “%(expected)s”.")
                % {
                    "status": current.get_status_display(),
                    "step": step.label,
                    "expected": InvoiceProcess(status=step.status).get_status_display(),
                },
                current=current.status,
                target=step.status,
            )
        if RemoteJob.objects.filter(subject_key=subject_key(current), state__in=RemoteJobState.active()).exists():
            raise IllegalTransition(_("Já há um job do servidor RPA em andamento para este processo."))
        if reset_attempts:
            InvoiceProcess.objects.filter(pk=current.pk).update(**{step.attempts_field: 0})
        elif getattr(current, step.attempts_field) >= settings.RPA_MAX_ATTEMPTS:
            raise IllegalTransition(
                _("As %(max)d tentativas deste processo se esgotaram; use “tentar de novo”.")
                % {"max": settings.RPA_MAX_ATTEMPTS}
            )
        execution = execution_create(
            kind=step.child_kind, parameters={"process_id": current.pk}, subject=current, **actor.execution_fields()
        )
        execution.lock_key = f"{subject_key(current)}:{step.name}"
        execution.save(update_fields=["lock_key"])
        transaction.on_commit(lambda: current_app.send_task(step.child_task, kwargs={"execution_id": execution.pk}))
    return execution


# Callbacks of the remote job (inside the monitor's transaction) --------------------------------------


def step_claimed(step: RemoteStep, job: RemoteJob) -> None:
    """The slot is taken: the attempt counts from now (given back if the server answers busy)."""
    process_id = job.parameters["process_id"]
    InvoiceProcess.objects.filter(pk=process_id).update(**{step.attempts_field: F(step.attempts_field) + 1})
    attempts = InvoiceProcess.objects.values_list(step.attempts_field, flat=True).get(pk=process_id)
    execution = job.execution
    if execution.status == ExecutionStatus.RETRYING:
        execution_start(execution=execution)
    execution_log(
        execution=execution,
        message=_("Tentativa %(n)d de %(max)d: pedindo ao servidor RPA (%(step)s).")
        % {"n": attempts, "max": settings.RPA_MAX_ATTEMPTS, "step": step.label},
    )


def step_busy(step: RemoteStep, job: RemoteJob) -> None:
    InvoiceProcess.objects.filter(pk=job.parameters["process_id"]).update(
        **{step.attempts_field: F(step.attempts_field) - 1}
    )


def step_attempt_failed(step: RemoteStep, job: RemoteJob, error: str, *, timed_out: bool, permanent: bool) -> None:
    """Retries with backoff while attempts are left (counted on the process); then the execution ends
    FAILED (or TIMED_OUT) with the error and an alert grouped per carrier is raised."""
    process = InvoiceProcess.objects.select_related("account__carrier").get(pk=job.parameters["process_id"])
    execution = job.execution
    attempts = getattr(process, step.attempts_field)
    status = ExecutionStatus.TIMED_OUT if timed_out else ExecutionStatus.FAILED
    if not permanent and attempts < settings.RPA_MAX_ATTEMPTS and process.status == step.status:
        delay = settings.RPA_RETRY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
        if EXECUTION_MACHINE.apply(execution, to=ExecutionStatus.RETRYING, error=error[:2000], error_type=status):
            execution_log(
                execution=execution,
                level=LogLevel.WARNING,
                message=_("Tentativa %(n)d falhou: %(error)s. Nova tentativa em %(delay).0f s.")
                % {"n": attempts, "error": error, "delay": delay},
            )
            remote_job_enqueue(
                execution=execution,
                handler=step.handler,
                subject_key=subject_key(process),
                parameters=dict(job.parameters),
                delay_seconds=delay,
            )
            return
    execution_fail(execution=execution, error=error, status=status)
    invoice_failure_alert(step=step.name, process=process, execution=execution, error=error)
