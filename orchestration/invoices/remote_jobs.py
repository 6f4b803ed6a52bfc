"""The RPA server's jobs for the shared remote-job monitor: downloads and SAT uploads, one pool of
RPA_MAX_CONCURRENT_JOBS slots for both (the same robots run them)."""

import datetime
from contextlib import AbstractContextManager, closing
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.clients.rpa import DownloadPayload, RpaBusy, RpaClient, RpaNotConfigured, RpaValidationError
from orchestration.invoices.models import InvoiceProcess
from orchestration.invoices.months import month_format
from orchestration.invoices.services.downloads import (
    DOWNLOAD_HANDLER,
    DOWNLOAD_STEP,
    invoice_download_completed,
    invoice_download_fetched,
    invoice_not_pdf_message,
)
from orchestration.invoices.services.remote_steps import RemoteStep, step_attempt_failed, step_busy, step_claimed
from orchestration.invoices.services.sat import SAT_HANDLER, SAT_STEP, invoice_sat_completed, sat_payload
from orchestration.invoices.services.storage import StoredInvoice
from orchestration.models import LogLevel, RemoteJob
from orchestration.outbound import AuthError, ExternalApiError, NotFoundError
from orchestration.registries.remote_jobs import (
    RemoteBusy,
    RemoteJobHandler,
    RemoteLine,
    RemoteLogPage,
    RemoteState,
    register_remote_job_handler,
)
from orchestration.services.executions import execution_log

# Errors a new attempt would only repeat: bad token, a body the server refuses, no server configured.
PERMANENT = (AuthError, RpaValidationError, RpaNotConfigured, ValidationFailed, ValueError)


def _process(job: RemoteJob) -> InvoiceProcess:
    return InvoiceProcess.objects.select_related("account__carrier").get(pk=job.parameters["process_id"])


class RpaJobHandler(RemoteJobHandler):
    pool = "rpa"
    step: RemoteStep

    def pool_size(self) -> int:
        return max(1, int(settings.RPA_MAX_CONCURRENT_JOBS))

    def poll_seconds(self) -> float:
        return float(settings.RPA_POLL_SECONDS)

    def timeout_seconds(self) -> float:
        return float(settings.RPA_JOB_TIMEOUT_SECONDS)

    def connect(self) -> AbstractContextManager[Any]:
        try:
            return closing(RpaClient.from_settings())
        except RpaNotConfigured as error:
            return _Unconfigured(error)

    def status(self, client: Any, job: RemoteJob) -> RemoteState:
        try:
            remote = client.job(job.remote_id)
        except NotFoundError:
            return RemoteState(
                "unknown", finished=True, error=_("O servidor RPA não conhece o job %(id)s.") % {"id": job.remote_id}
            )
        result: dict[str, Any] = {}
        if remote.download is not None:
            result = {
                "invoice_url": remote.download.invoice_url,
                "due_date": remote.download.due_date.isoformat() if remote.download.due_date else None,
                "amount": str(remote.download.amount) if remote.download.amount is not None else None,
            }
        elif remote.sat is not None:
            result = {"protocol": remote.sat.protocol}
        succeeded = remote.status == "completed" and bool(result)
        error = remote.error or ("" if succeeded or not remote.finished else _("o job terminou sem resultado"))
        return RemoteState(remote.status, finished=remote.finished, succeeded=succeeded, result=result, error=error)

    def logs(self, client: Any, job: RemoteJob, cursor: int) -> RemoteLogPage:
        page = client.logs(job.remote_id, cursor)
        return RemoteLogPage(
            lines=[RemoteLine(level=line.level, message=_("robô: %(m)s") % {"m": line.message}) for line in page.lines],
            next_cursor=page.next_offset,
        )

    def on_claimed(self, job: RemoteJob) -> None:
        step_claimed(self.step, job)

    def on_busy(self, job: RemoteJob) -> None:
        step_busy(self.step, job)
        execution_log(
            execution=job.execution,
            message=_("Servidor RPA ocupado (todos os robôs em uso): aguardando vaga; não conta como tentativa."),
        )

    def on_start_failed(self, job: RemoteJob, error: BaseException) -> None:
        step_attempt_failed(self.step, job, str(error), timed_out=False, permanent=isinstance(error, PERMANENT))

    def on_timed_out(self, job: RemoteJob) -> None:
        message = _("O job %(id)s não terminou em %(seconds)d s.") % {
            "id": job.remote_id or "?",
            "seconds": settings.RPA_JOB_TIMEOUT_SECONDS,
        }
        if not job.remote_id:
            message += " " + _(
                "O pedido ao servidor RPA foi interrompido sem resposta registrada; para não iniciar dois jobs para "
                "o mesmo processo, esperamos o prazo antes de uma nova tentativa."
            )
        step_attempt_failed(self.step, job, message, timed_out=True, permanent=False)

    def _finished_elsewhere(self, job: RemoteJob) -> bool:
        execution = job.execution
        if execution.is_finished:
            execution_log(
                execution=execution,
                level=LogLevel.WARNING,
                message=_("O job remoto terminou, mas a execução já estava encerrada (%(status)s); nada alterado.")
                % {"status": execution.get_status_display()},
            )
            return True
        return False


class _Unconfigured(AbstractContextManager[Any]):
    """Stands in for a client when no RPA server is configured: every start fails with the reason."""

    def __init__(self, error: RpaNotConfigured) -> None:
        self.error = error

    def __enter__(self) -> "_Unconfigured":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        raise self.error


class RpaDownloadHandler(RpaJobHandler):
    name = DOWNLOAD_HANDLER
    step = DOWNLOAD_STEP

    def start(self, client: Any, job: RemoteJob) -> str:
        process = _process(job)
        account = process.account
        payload = DownloadPayload(
            cnpj=account.cnpj,
            razao=account.legal_name,
            operadora=account.carrier.code,
            nome_filtro=account.filter,
            unidade=account.unit,
            servico=account.service,
            login=account.portal_login,
            senha=account.portal_password,
            cpf=account.cpf or "",
            mes_ano=month_format(process.month),
        )
        try:
            return str(client.start_download(payload).job_id)
        except RpaBusy as busy:
            raise RemoteBusy(busy.retry_after) from busy

    def collect(self, client: Any, job: RemoteJob, state: RemoteState) -> Any:
        if not state.succeeded:
            return None
        try:
            content = client.fetch_invoice(state.result["invoice_url"], settings.INVOICE_UPLOAD_MAX_BYTES)
            return invoice_download_fetched(_process(job), job, content)
        except ValidationFailed as error:
            return invoice_not_pdf_message(error)
        except ExternalApiError as error:
            return _("Não foi possível baixar o PDF da fatura: %(error)s") % {"error": error}

    def on_finished(self, job: RemoteJob, state: RemoteState, collected: Any) -> None:
        if self._finished_elsewhere(job):
            return
        if isinstance(collected, StoredInvoice):
            result = {
                "invoice_url": state.result["invoice_url"],
                "due_date": datetime.date.fromisoformat(state.result["due_date"]) if state.result["due_date"] else None,
                "amount": Decimal(state.result["amount"]) if state.result["amount"] else None,
            }
            invoice_download_completed(job, collected, result)
            return
        error = collected if isinstance(collected, str) else (state.error or _("o robô falhou sem dizer por quê"))
        step_attempt_failed(self.step, job, error, timed_out=False, permanent=False)


class RpaSatHandler(RpaJobHandler):
    name = SAT_HANDLER
    step = SAT_STEP

    def start(self, client: Any, job: RemoteJob) -> str:
        payload = sat_payload(_process(job))
        try:
            return str(client.start_sat(payload).job_id)
        except RpaBusy as busy:
            raise RemoteBusy(busy.retry_after) from busy

    def on_finished(self, job: RemoteJob, state: RemoteState, collected: Any) -> None:
        if self._finished_elsewhere(job):
            return
        if state.succeeded:
            invoice_sat_completed(job, state.result.get("protocol", ""))
            return
        step_attempt_failed(
            self.step, job, state.error or _("o robô falhou sem dizer por quê"), timed_out=False, permanent=False
        )


register_remote_job_handler(RpaDownloadHandler())
register_remote_job_handler(RpaSatHandler())
