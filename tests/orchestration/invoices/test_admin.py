"""The process page in the admin: the account, the buttons each role may use, the executions, the link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.processes import invoice_processes_create
from orchestration.models import Execution, Role
from tests.fakes.rpa import pdf_bytes
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

pytestmark = pytest.mark.django_db


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_buttons_follow_the_role_and_the_status_and_actions_write_the_ledger(make_user, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    carrier_accounts_setup(default_specs(1))
    invoice_processes_create(month=month_parse("05/2026"))
    process = InvoiceProcess.objects.get()
    operator, approver = make_user(Role.OPERATOR), make_user(Role.APPROVER)
    page = reverse("admin:orchestration_invoiceprocess_change", args=[process.pk])

    html = _login(operator).get(page).content.decode()
    assert process.account.legal_name in html and process.account.cnpj in html
    assert 'name="download"' in html and 'name="upload"' in html and 'name="approve"' not in html

    upload = reverse("admin:orchestration_invoiceprocess_act", args=[process.pk, "upload"])
    response = _login(operator).post(upload, {"file": SimpleUploadedFile("f.pdf", pdf_bytes("admin"))})
    assert response.status_code == 302
    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_APPROVAL

    html = _login(operator).get(page).content.decode()
    assert 'name="approve"' not in html and 'name="download"' not in html and 'id="invoice-link"' in html
    approve = reverse("admin:orchestration_invoiceprocess_act", args=[process.pk, "approve"])
    assert _login(operator).post(approve).status_code == 403

    html = _login(approver).get(page).content.decode()
    assert 'name="approve"' in html and 'name="reject"' in html
    assert _login(approver).post(approve).status_code == 302
    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_SAT_UPLOAD and process.approved_by == approver

    html = _login(approver).get(page).content.decode()
    kinds = set(Execution.objects.filter(subject_id=str(process.pk)).values_list("kind", flat=True))
    assert kinds == {"INVOICE_MANUAL_UPLOAD", "INVOICE_APPROVAL"}
    assert "Aprovação de fatura" in html and "Envio manual de fatura" in html
    changelist = _login(approver).get(reverse("admin:orchestration_invoiceprocess_changelist"))
    assert changelist.status_code == 200 and "approve_selected" in changelist.content.decode()


def test_the_list_queues_the_runs_of_flows_1_2_and_5_for_operators_only(make_user) -> None:  # type: ignore[no-untyped-def]
    operator, approver = make_user(Role.OPERATOR), make_user(Role.APPROVER)
    changelist = reverse("admin:orchestration_invoiceprocess_changelist")
    assert 'id="invoice-runs"' in _login(operator).get(changelist).content.decode()
    runs = reverse("admin:orchestration_invoiceprocess_runs")
    response = _login(operator).post(runs, {"run": "create", "month": "05/2026", "carrier": "VIVO"})
    assert response.status_code == 302
    execution = Execution.objects.get(kind="INVOICE_PROCESSES_CREATE")
    assert execution.status == "QUEUED" and execution.started_by == operator
    assert execution.parameters == {"carrier": "VIVO", "month": "05/2026"}
    _login(operator).post(runs, {"run": "download", "month": "13/2026"})
    assert not Execution.objects.filter(kind="INVOICE_DOWNLOADS").exists()
    assert _login(approver).post(runs, {"run": "sat"}).status_code == 302  # APPROVER is "above" OPERATOR
