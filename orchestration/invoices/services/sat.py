"""Flow 5, the SAT upload: the typed `AutomacaoPayloadSat` sent as an RPA job per AWAITING_SAT_UPLOAD
process, monitored like a download; on success the process is SAT_UPLOADED with the time and protocol."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.clients.rpa import AutomacaoPayloadSat
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.services.alerts import invoice_failure_resolve
from orchestration.invoices.services.machine import INVOICE_MACHINE, Actor
from orchestration.invoices.services.remote_steps import RemoteStep, step_request, step_run
from orchestration.models import Execution, RemoteJob, Trigger
from orchestration.services.executions import execution_log, execution_set_counters, execution_skip, execution_succeed

SAT_UPLOADS_KIND = "INVOICE_SAT_UPLOADS"
SAT_UPLOAD_KIND = "INVOICE_SAT_UPLOAD"
SAT_TASK = "invoices.send_invoice_to_sat"
SAT_HANDLER = "rpa.sat"

SAT_STEP = RemoteStep(
    name="sat",
    status=InvoiceStatus.AWAITING_SAT_UPLOAD,
    attempts_field="sat_attempts",
    run_kind=SAT_UPLOADS_KIND,
    child_kind=SAT_UPLOAD_KIND,
    child_task=SAT_TASK,
    handler=SAT_HANDLER,
    label="envio ao SAT",
)


def sat_payload(process: InvoiceProcess) -> AutomacaoPayloadSat:
    account = process.account
    if not process.invoice_key:
        raise ValidationFailed(_("O processo não tem fatura guardada para enviar ao SAT."))
    if process.due_date is None:
        raise ValidationFailed(_("O processo não tem data de vencimento; o SAT exige uma."))
    return AutomacaoPayloadSat(
        cnpj=account.cnpj,
        razao=account.sat_name or account.legal_name,
        operadora=account.carrier.code,
        nome_filtro=account.filter,
        unidade=account.unit,
        servico=account.service,
        dados_sat=account.sat_data,
        nome_arquivo=process.invoice_key,
        data_vencimento=process.due_date.isoformat(),
    )


def invoices_to_sat_run(
    *, carrier_code: str = "", month: Any = None, trigger: str = Trigger.SCHEDULE, actor: Actor | None = None, **kw: Any
) -> Execution:
    return step_run(SAT_STEP, carrier_code=carrier_code, month=month, trigger=trigger, actor=actor, **kw)


def invoice_sat_request(*, process: InvoiceProcess, actor: Actor, retry: bool = False) -> Execution:
    return step_request(SAT_STEP, process=process, actor=actor, reset_attempts=retry)


def invoice_sat_completed(job: RemoteJob, protocol: str) -> None:
    execution = job.execution
    process = InvoiceProcess.objects.select_related("account__carrier").get(pk=job.parameters["process_id"])
    now = timezone.now()
    if not INVOICE_MACHINE.apply(
        process, to=InvoiceStatus.SAT_UPLOADED, sat_sent=True, sat_sent_at=now, sat_protocol=protocol[:120]
    ):
        execution_skip(
            execution=execution,
            reason=_("O processo já está em “%(status)s”.") % {"status": process.get_status_display()},
        )
        return
    execution_log(
        execution=execution, message=_("Fatura enviada ao SAT; protocolo %(protocol)s.") % {"protocol": protocol}
    )
    execution_set_counters(execution=execution, invoices_sent=1)
    execution_succeed(execution=execution)
    invoice_failure_resolve(step="sat", process=process)
