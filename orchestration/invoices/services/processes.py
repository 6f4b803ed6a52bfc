"""The monthly processes (flow 1), manual upload (flow 3), approval and rejection (flow 4)."""

import datetime
from dataclasses import dataclass

from celery import Task
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.models import Carrier, CarrierAccount, InvoiceProcess, InvoiceRejection, InvoiceStatus
from orchestration.invoices.months import month_current, month_format
from orchestration.invoices.services.alerts import invoice_pending_approval_alert, invoice_pending_approval_resolve
from orchestration.invoices.services.machine import INVOICE_MACHINE, Actor, process_transition_recorded
from orchestration.invoices.services.storage import invoice_store
from orchestration.models import Execution, RemoteJob, RemoteJobState, Trigger
from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed
from orchestration.services.runner import JobContext, execution_run
from orchestration.services.transitions import IllegalTransition

CREATE_KIND = "INVOICE_PROCESSES_CREATE"
MANUAL_UPLOAD_KIND = "INVOICE_MANUAL_UPLOAD"
APPROVAL_KIND = "INVOICE_APPROVAL"
REJECTION_KIND = "INVOICE_REJECTION"
APPROVE_PERMISSION = "orchestration.approve_invoiceprocess"
RUN_PERMISSION = "orchestration.run_invoiceprocess"


def subject_key(process: InvoiceProcess | int) -> str:
    """The remote-job subject of a process: one RPA job at a time per process, whatever the step."""
    return f"invoice:{process if isinstance(process, int) else process.pk}"


def process_has_active_job(process: InvoiceProcess) -> bool:
    return RemoteJob.objects.filter(subject_key=subject_key(process), state__in=RemoteJobState.active()).exists()


def carrier_by_code(code: str) -> Carrier:
    carrier = Carrier.objects.filter(code=(code or "").strip().upper()).first()
    if carrier is None:
        known = ", ".join(Carrier.objects.order_by("code").values_list("code", flat=True))
        raise ValidationFailed(
            _("Operadora desconhecida: %(code)s. Códigos válidos: %(known)s.") % {"code": code, "known": known}
        )
    return carrier


def _require(actor: Actor, permission: str) -> None:
    if actor.user is not None and not actor.user.has_perm(permission):
        raise PermissionDenied(_("Seu perfil não permite esta ação."))


# Flow 1: one process per active account of every active carrier with RPA --------------------------------


@dataclass(frozen=True)
class ProcessesCreated:
    month: datetime.date
    created: int
    existing: int


def invoice_processes_create(*, month: datetime.date, carrier_code: str = "") -> ProcessesCreated:
    """Creates the month's missing processes in bulk; running it again creates nothing."""
    accounts = CarrierAccount.objects.filter(is_active=True, carrier__is_active=True, carrier__has_rpa=True)
    if carrier_code:
        accounts = accounts.filter(carrier=carrier_by_code(carrier_code))
    account_ids = set(accounts.values_list("pk", flat=True))
    existing = set(
        InvoiceProcess.objects.filter(month=month, account_id__in=account_ids).values_list("account_id", flat=True)
    )
    missing = sorted(account_ids - existing)
    InvoiceProcess.objects.bulk_create(
        (InvoiceProcess(account_id=pk, month=month, created_automatically=True) for pk in missing),
        batch_size=1000,
        ignore_conflicts=True,  # a concurrent run made some of them: theirs count as existing
    )
    created = InvoiceProcess.objects.filter(month=month, account_id__in=missing).count()
    return ProcessesCreated(month=month, created=created, existing=len(account_ids) - created)


def invoice_processes_create_run(
    *,
    month: datetime.date | None = None,
    carrier_code: str = "",
    trigger: str = Trigger.SCHEDULE,
    actor: Actor | None = None,
    execution_id: int | None = None,
    task: Task | None = None,
) -> Execution:
    month = month or month_current(timezone.localdate())

    def job(context: JobContext) -> None:
        done = invoice_processes_create(month=month, carrier_code=carrier_code)
        context.set_counters(created=done.created, existing=done.existing)
        context.log(
            _("%(month)s: %(created)d processos criados, %(existing)d já existiam.")
            % {"month": month_format(month), "created": done.created, "existing": done.existing}
        )

    if execution_id is None and actor is not None and actor.user is not None:
        execution_id = execution_create(
            kind=CREATE_KIND,
            parameters={"month": month_format(month), "carrier": carrier_code},
            lock_key="invoices:create-processes",
            **actor.execution_fields(),
        ).pk
    return execution_run(
        kind=CREATE_KIND,
        job=job,
        execution_id=execution_id,
        trigger=trigger,
        parameters={"month": month_format(month), "carrier": carrier_code},
        lock_key="invoices:create-processes",
        task=task,
    )


# Flow 3: manual upload ----------------------------------------------------------------------------------


def invoice_manual_upload(*, process: InvoiceProcess, filename: str, content: bytes, actor: Actor) -> Execution:
    """Stores an uploaded PDF like a downloaded one and moves the process to AWAITING_APPROVAL with the
    manual flag. ValidationFailed (not a PDF, too large) or IllegalTransition (wrong status, a download
    running): refused, nothing stored."""
    _require(actor, RUN_PERMISSION)
    INVOICE_MACHINE.check(process.status, InvoiceStatus.AWAITING_APPROVAL)
    if process_has_active_job(process):
        raise IllegalTransition(_("Há um job do servidor RPA em andamento para este processo; aguarde o fim dele."))
    stored = None
    try:
        with transaction.atomic():
            execution = execution_create(
                kind=MANUAL_UPLOAD_KIND,
                parameters={"process_id": process.pk, "file_name": filename[:255]},
                subject=process,
                **actor.execution_fields(),
            )
            execution_start(execution=execution)
            stored = invoice_store(process, run_id=execution.pk, filename=filename, content=content)
            INVOICE_MACHINE.apply_or_raise(
                process,
                to=InvoiceStatus.AWAITING_APPROVAL,
                invoice_key=stored.key,
                invoice_filename=stored.filename,
                invoice_url="",
                manual_upload=True,
            )
            execution_log(
                execution=execution,
                message=_("Fatura enviada manualmente: %(name)s (%(size)d bytes), guardada em %(key)s.")
                % {"name": stored.filename, "size": stored.size, "key": stored.key},
            )
            execution.counters = {"invoices_uploaded": 1}
            execution.save(update_fields=["counters"])
            execution_succeed(execution=execution)
    except BaseException:
        if stored is not None:
            default_storage.delete(stored.key)  # refused after all: nothing stays behind
        raise
    invoice_pending_approval_alert(process=process, execution=execution)
    return execution


# Flow 4: approval and rejection -------------------------------------------------------------------------


def invoice_approve(*, process: InvoiceProcess, actor: Actor) -> Execution:
    _require(actor, APPROVE_PERMISSION)
    who = str(actor.user) if actor.user else _("sistema")
    execution = process_transition_recorded(
        process=process,
        to=InvoiceStatus.AWAITING_SAT_UPLOAD,
        kind=APPROVAL_KIND,
        actor=actor,
        message=_("Fatura aprovada por %(who)s.") % {"who": who},
        approved_by=actor.user,
        approved_at=timezone.now(),
    )
    invoice_pending_approval_resolve(process=process)
    return execution


def invoice_reject(*, process: InvoiceProcess, actor: Actor, reason: str) -> Execution:
    """Back to AWAITING_DOWNLOAD with the reason; the refused file stays in storage, named by the
    InvoiceRejection, and the download attempts start over."""
    _require(actor, APPROVE_PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Informe o motivo da rejeição."))
    who = str(actor.user) if actor.user else _("sistema")
    with transaction.atomic():
        current = InvoiceProcess.objects.select_for_update().get(pk=process.pk)
        snapshot = {
            "invoice_key": current.invoice_key,
            "invoice_filename": current.invoice_filename,
            "due_date": current.due_date,
            "amount": current.amount,
            "manual_upload": current.manual_upload,
        }
        execution = process_transition_recorded(
            process=process,
            to=InvoiceStatus.AWAITING_DOWNLOAD,
            kind=REJECTION_KIND,
            actor=actor,
            message=_("Fatura rejeitada por %(who)s: %(reason)s") % {"who": who, "reason": reason},
            parameters={"reason": reason, "rejected_key": current.invoice_key},
            invoice_key="",
            invoice_filename="",
            invoice_url="",
            due_date=None,
            amount=None,
            manual_upload=False,
            download_attempts=0,
        )
        InvoiceRejection.objects.create(process=process, reason=reason, rejected_by=actor.user, **snapshot)
    invoice_pending_approval_resolve(process=process)
    return execution
