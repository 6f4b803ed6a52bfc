"""The invoice processes of a month on the console: filters in the URL, and the bulk actions each role may use,
through the pipeline's services (the ledger records who, from where), each process reported."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess, InvoiceRejection, InvoiceStatus
from orchestration.invoices.months import month_current, month_parse
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import invoice_manual_upload, invoice_processes_create
from orchestration.models import Execution, Role, User
from tests.fakes.rpa import pdf_bytes
from tests.orchestration.invoices.factories import CNPJS, carrier_accounts_setup, default_specs, formatted_cnpj

pytestmark = pytest.mark.django_db
URL = "/invoices/processes/"
MONTH = "05/2026"


def _client(user: User) -> Client:
    client = Client(HTTP_USER_AGENT="Navegador de teste/1.0", REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


def _ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'data-process="(\d+)"', html)}


@pytest.fixture
def processes(settings, tmp_path, make_user) -> list[InvoiceProcess]:  # type: ignore[no-untyped-def]
    """Three processes of 05/2026 (VIVO, OI, EMBRATEL): the first two uploaded, so awaiting approval."""
    settings.MEDIA_ROOT = str(tmp_path)
    carrier_accounts_setup(default_specs(3))
    invoice_processes_create(month=month_parse(MONTH))
    found = list(InvoiceProcess.objects.order_by("account__legal_name"))
    uploader = Actor(user=make_user(Role.OPERATOR))
    for process in found[:2]:
        invoice_manual_upload(process=process, filename="fatura.pdf", content=pdf_bytes("lista"), actor=uploader)
    return [InvoiceProcess.objects.get(pk=process.pk) for process in found]


def test_the_month_carrier_status_and_search_filters(processes, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_user(Role.OPERATOR))
    first, second, third = processes
    html = client.get(URL, {"month": MONTH}).content.decode()
    assert _ids(html) == {p.pk for p in processes} and "Faturas de 05/2026" in html
    assert "Aguardando aprovação" in html and "Aguardando download" in html
    assert reverse("admin:orchestration_invoiceprocess_change", args=[first.pk]) in html
    assert html.count('class="invoice-pdf"') == 2  # the uploaded ones have a PDF link
    assert "04/2026" in html and "06/2026" in html  # the neighbouring months

    assert _ids(client.get(URL, {"month": MONTH, "carrier": "OI"}).content.decode()) == {second.pk}
    waiting = client.get(URL, {"month": MONTH, "status": "AWAITING_APPROVAL"}).content.decode()
    assert _ids(waiting) == {first.pk, second.pk}
    assert _ids(client.get(URL, {"month": MONTH, "q": formatted_cnpj(CNPJS[2])}).content.decode()) == {third.pk}
    assert _ids(client.get(URL, {"month": MONTH, "q": "cliente 2"}).content.decode()) == {second.pk}
    # The current month by default (nothing there in this test).
    current = client.get(URL).content.decode()
    assert _ids(current) == set() and month_current(timezone.localdate()).strftime("%m/%Y") in current


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "13/2026"}, "f-month"),
        ({"month": "maio"}, "f-month"),
        ({"carrier": "NOPE"}, "f-carrier"),
        ({"status": "PAID"}, "f-status"),
        ({"q": "x" * 101}, "f-q"),
    ],
)
def test_a_bad_filter_is_an_error_next_to_the_field(processes, make_user, params, field) -> None:  # type: ignore[no-untyped-def]
    response = _client(make_user(Role.OPERATOR)).get(URL, params)
    html = response.content.decode()
    assert response.status_code == 400 and f'id="{field}-error"' in html and "data-process=" not in html


def test_an_operator_sees_no_approval_buttons_and_a_forged_approval_is_refused(processes, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_user(Role.OPERATOR))
    html = client.get(URL, {"month": MONTH}).content.decode()
    assert 'id="bulk-download"' in html and 'id="bulk-send_to_sat"' in html
    assert 'id="bulk-approve"' not in html and 'id="bulk-reject"' not in html and 'name="reason"' not in html
    for action in ("approve", "reject"):
        response = client.post(URL, {"action": action, "process": [processes[0].pk], "reason": "não"})
        assert response.status_code == 403
    assert InvoiceProcess.objects.get(pk=processes[0].pk).status == InvoiceStatus.AWAITING_APPROVAL
    assert not Execution.objects.filter(kind__in=["INVOICE_APPROVAL", "INVOICE_REJECTION"]).exists()
    nobody = User.objects.create_user("sem@example.com", "s3nha-forte!", name="Sem", role="")
    assert _client(nobody).get(URL).status_code == 403
    assert _client(nobody).post(URL, {"action": "download", "process": [processes[2].pk]}).status_code == 403
    assert client.delete(URL).status_code == 405


def test_an_approver_approves_two_of_three_and_is_told_why_the_third_was_refused(processes, make_user) -> None:  # type: ignore[no-untyped-def]
    approver = make_user(Role.APPROVER)
    client = _client(approver)
    html = client.get(URL, {"month": MONTH}).content.decode()
    assert 'id="bulk-approve"' in html and 'id="bulk-reject"' in html

    query = f"month={MONTH.replace('/', '%2F')}"
    response = client.post(URL, {"action": "approve", "process": [p.pk for p in processes], "query": query})
    assert response.status_code == 302 and response["Location"] == f"{URL}?{query}"
    html = client.get(response["Location"]).content.decode()
    assert "Aprovar: 2 processos atendidos." in html
    assert f"{processes[0]}: aprovada." in html and f"{processes[1]}: aprovada." in html
    assert f"{processes[2]}: recusado. Não é possível passar de “Aguardando download”" in html

    statuses = dict(InvoiceProcess.objects.values_list("pk", "status"))
    assert [statuses[p.pk] for p in processes] == [
        InvoiceStatus.AWAITING_SAT_UPLOAD,
        InvoiceStatus.AWAITING_SAT_UPLOAD,
        InvoiceStatus.AWAITING_DOWNLOAD,
    ]
    approvals = Execution.objects.filter(kind="INVOICE_APPROVAL")
    assert {e.subject_id for e in approvals} == {str(processes[0].pk), str(processes[1].pk)}
    for execution in approvals:  # the same ledger as the admin's and the API's approvals
        assert execution.started_by == approver and execution.trigger == "MANUAL"
        assert execution.requester_ip == "203.0.113.7" and execution.user_agent == "Navegador de teste/1.0"


def test_rejecting_needs_a_reason_and_records_it(processes, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_user(Role.APPROVER))
    chosen = [processes[0].pk, processes[1].pk]
    html = client.post(URL, {"action": "reject", "process": chosen, "reason": "  "}, follow=True).content.decode()
    assert "Informe o motivo da rejeição." in html
    assert InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL).count() == 2

    html = client.post(
        URL, {"action": "reject", "process": chosen, "reason": "Valor diferente do contrato"}, follow=True
    ).content.decode()
    assert "Rejeitar: 2 processos atendidos." in html
    assert set(InvoiceRejection.objects.values_list("process_id", "reason")) == {
        (pk, "Valor diferente do contrato") for pk in chosen
    }
    assert not InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL).exists()
    assert "Selecione ao menos um processo." in client.post(URL, {"action": "approve"}, follow=True).content.decode()


def test_an_operator_asks_for_downloads_of_those_awaiting_one(processes, make_user) -> None:  # type: ignore[no-untyped-def]
    operator = make_user(Role.OPERATOR)
    client = _client(operator)
    response = client.post(URL, {"action": "download", "process": [p.pk for p in processes]}, follow=True)
    html = response.content.decode()
    assert "Baixar (RPA): 1 processo atendido." in html
    assert html.count("recusado. O processo está em “Aguardando aprovação”") == 2
    queued = Execution.objects.get(subject_id=str(processes[2].pk), status="QUEUED")
    assert queued.started_by == operator and queued.parent is None
