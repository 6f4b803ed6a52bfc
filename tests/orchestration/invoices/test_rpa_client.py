"""The RPA client against the fake at the wire: 401, 422 as FastAPI writes it, 503 + Retry-After as
back-pressure, unknown jobs, the log cursor; and a hung job ending TIMED_OUT as a counted attempt."""

import time

import pytest

from orchestration.invoices.clients.rpa import DownloadPayload, RpaBusy, RpaClient, RpaValidationError
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.downloads import DOWNLOAD_STEP, invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import invoice_processes_create
from orchestration.invoices.services.remote_steps import step_child_run
from orchestration.models import Alert, ExecutionStatus
from orchestration.outbound import AuthError, NotFoundError
from tests.fakes.rpa import DEFAULT_TOKEN, RpaFake
from tests.orchestration.invoices.conftest import RpaFakeHolder, drive
from tests.orchestration.invoices.factories import CNPJS, carrier_accounts_setup, default_specs

PAYLOAD = DownloadPayload(
    cnpj=CNPJS[0],
    razao="Cliente Ltda",
    operadora="VIVO",
    nome_filtro="f",
    unidade="Matriz",
    servico="Fixa",
    login="l",
    senha="s",
    cpf="",
    mes_ano="03/2026",
)


def _client(holder: RpaFakeHolder, token: str = DEFAULT_TOKEN) -> RpaClient:
    return RpaClient(base_url=holder.server.url, token=token, backoff_base=0.01)


def test_wrong_token_is_an_auth_error_and_health_needs_none(rpa_holder: RpaFakeHolder, rpa_fake: RpaFake) -> None:
    assert _client(rpa_holder, token="errado").health()
    with pytest.raises(AuthError) as error:
        _client(rpa_holder, token="errado").start_download(PAYLOAD)
    assert "errado" not in str(error.value)


def test_validation_errors_name_the_field(rpa_holder: RpaFakeHolder, rpa_fake: RpaFake) -> None:
    bad = DownloadPayload(**{**PAYLOAD.__dict__, "cnpj": "123", "mes_ano": "2026-03"})
    with pytest.raises(RpaValidationError) as error:
        _client(rpa_holder).start_download(bad)
    assert any(problem.startswith("cnpj:") for problem in error.value.problems)
    assert any(problem.startswith("mes_ano:") for problem in error.value.problems)


def test_busy_robots_answer_503_with_retry_after_and_the_log_cursor_moves_on(
    rpa_holder: RpaFakeHolder, rpa_fake: RpaFake
) -> None:
    rpa_fake.robots = 1
    client = _client(rpa_holder)
    started = client.start_download(PAYLOAD)
    with pytest.raises(RpaBusy) as busy:
        client.start_download(PAYLOAD)
    assert busy.value.retry_after == pytest.approx(0.2)
    assert rpa_fake.count("POST", "/executar") == 2  # a POST is never retried by the client
    while not client.job(started.job_id).finished:
        time.sleep(0.05)
    job = client.job(started.job_id)
    assert job.status == "completed" and job.download and job.download.amount
    first = client.logs(started.job_id, 0)
    assert client.logs(started.job_id, first.next_offset).lines == []
    assert client.fetch_invoice(job.download.invoice_url, 10**6).startswith(b"%PDF-")
    with pytest.raises(NotFoundError):
        client.job("nao-existe")


@pytest.mark.django_db
def test_a_hung_job_times_out_as_an_attempt_and_the_last_one_stays_timed_out(rpa_fake: RpaFake, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RPA_JOB_TIMEOUT_SECONDS = 1
    settings.RPA_MAX_ATTEMPTS = 2
    rpa_fake.default_outcome = "hang"
    carrier_accounts_setup(default_specs(1))
    invoice_processes_create(month=month_parse("03/2026"))
    process = InvoiceProcess.objects.get()
    execution = invoice_download_request(process=process, actor=Actor())
    step_child_run(DOWNLOAD_STEP, execution_id=execution.pk)
    drive(lambda: type(execution).objects.get(pk=execution.pk).is_finished, timeout=15)
    execution.refresh_from_db()
    process.refresh_from_db()
    assert execution.status == ExecutionStatus.TIMED_OUT and "não terminou" in execution.error
    assert process.download_attempts == 2 and process.status == InvoiceStatus.AWAITING_DOWNLOAD
    assert Alert.objects.filter(fingerprint=f"invoices:download-failed:{process.pk}").exists()
