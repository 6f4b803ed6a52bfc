"""Flow 2, the automatic download: one parent run, one child per AWAITING_DOWNLOAD process, each an RPA
job followed by the remote-job monitor. On completion the PDF is fetched from `url_fatura`, checked,
stored under `pdfs/`, and the process moves to AWAITING_APPROVAL with its due date, amount and URL."""

from typing import Any

from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.services.alerts import invoice_failure_resolve, invoice_pending_approval_alert
from orchestration.invoices.services.machine import INVOICE_MACHINE, Actor
from orchestration.invoices.services.remote_steps import RemoteStep, step_request, step_run
from orchestration.invoices.services.storage import StoredInvoice, invoice_store
from orchestration.models import Execution, RemoteJob, Trigger
from orchestration.services.executions import execution_log, execution_set_counters, execution_skip, execution_succeed

DOWNLOADS_KIND = "INVOICE_DOWNLOADS"
DOWNLOAD_KIND = "INVOICE_DOWNLOAD"
DOWNLOAD_TASK = "invoices.download_invoice"
DOWNLOAD_HANDLER = "rpa.download"

DOWNLOAD_STEP = RemoteStep(
    name="download",
    status=InvoiceStatus.AWAITING_DOWNLOAD,
    attempts_field="download_attempts",
    run_kind=DOWNLOADS_KIND,
    child_kind=DOWNLOAD_KIND,
    child_task=DOWNLOAD_TASK,
    handler=DOWNLOAD_HANDLER,
    label="download",
)


def invoice_downloads_run(
    *, carrier_code: str = "", month: Any = None, trigger: str = Trigger.SCHEDULE, actor: Actor | None = None, **kw: Any
) -> Execution:
    return step_run(DOWNLOAD_STEP, carrier_code=carrier_code, month=month, trigger=trigger, actor=actor, **kw)


def invoice_download_request(*, process: InvoiceProcess, actor: Actor, retry: bool = False) -> Execution:
    return step_request(DOWNLOAD_STEP, process=process, actor=actor, reset_attempts=retry)


def invoice_download_fetched(process: InvoiceProcess, job: RemoteJob, content: bytes) -> StoredInvoice:
    """Checks and stores a fetched invoice (outside the monitor's transaction); ValidationFailed when it
    is not a PDF."""
    name = f"fatura-{process.account.cnpj}-{process.month:%Y-%m}.pdf"
    return invoice_store(process, run_id=job.execution_id, filename=name, content=content)


def invoice_download_completed(job: RemoteJob, stored: StoredInvoice, result: dict[str, Any]) -> None:
    """AWAITING_DOWNLOAD → AWAITING_APPROVAL with what the robot found (in the monitor's transaction)."""
    execution = job.execution
    process = InvoiceProcess.objects.select_related("account__carrier").get(pk=job.parameters["process_id"])
    moved = INVOICE_MACHINE.apply(
        process,
        to=InvoiceStatus.AWAITING_APPROVAL,
        invoice_url=result["invoice_url"][:1000],
        invoice_key=stored.key,
        invoice_filename=stored.filename,
        due_date=result["due_date"],
        amount=result["amount"],
        manual_upload=False,
    )
    if not moved:
        execution_skip(
            execution=execution,
            reason=_("O processo já está em “%(status)s”; a fatura baixada ficou guardada em %(key)s.")
            % {"status": process.get_status_display(), "key": stored.key},
        )
        return
    execution_log(
        execution=execution,
        message=_("Fatura guardada em %(key)s (%(size)d bytes); vencimento %(due)s, valor %(amount)s.")
        % {"key": stored.key, "size": stored.size, "due": result["due_date"] or "-", "amount": result["amount"] or "-"},
    )
    execution_set_counters(execution=execution, invoices_downloaded=1)
    execution_succeed(execution=execution)
    invoice_failure_resolve(step="download", process=process)
    invoice_pending_approval_alert(process=process, execution=execution)


def invoice_not_pdf_message(error: ValidationFailed) -> str:
    return _("O servidor RPA entregou um arquivo que não é PDF: %(error)s") % {"error": error}
