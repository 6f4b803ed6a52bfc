"""The invoice processes on the API: roles, the state machine's refusals (409), manual upload of real and
fake PDFs, approve/reject, and the time-limited link."""

import io

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from orchestration.invoices.models import InvoiceProcess, InvoiceRejection, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.processes import invoice_processes_create
from orchestration.models import Alert, AlertStatus, Execution, Role
from tests.fakes.rpa import pdf_bytes
from tests.harness.s3 import S3Server
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

pytestmark = pytest.mark.django_db
BASE = "/api/v1/invoice-processes/"


def _client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def processes() -> list[InvoiceProcess]:
    carrier_accounts_setup(default_specs(3))
    invoice_processes_create(month=month_parse("04/2026"))
    return list(InvoiceProcess.objects.order_by("id"))


def _upload(client: APIClient, process: InvoiceProcess, content: bytes, name: str = "fatura.pdf"):  # type: ignore[no-untyped-def]
    file = io.BytesIO(content)
    file.name = name
    return client.post(f"{BASE}{process.pk}/upload-invoice/", {"file": file}, format="multipart")


def test_list_filters_and_fields(processes: list[InvoiceProcess], operator_user) -> None:  # type: ignore[no-untyped-def]
    client = _client(operator_user)
    body = client.get(BASE, {"month": "04/2026", "carrier": "vivo", "status": "AWAITING_DOWNLOAD"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    for field in (
        "id",
        "account",
        "month",
        "status",
        "due_date",
        "amount",
        "invoice_key",
        "download_attempts",
        "sat_attempts",
        "manual_upload",
        "approved_by",
        "approved_at",
        "sat_sent_at",
    ):
        assert field in row
    assert row["month"] == "04/2026" and row["account"]["carrier"] == "VIVO"
    bad = client.get(BASE, {"month": "2026-04"})
    assert bad.status_code == 400 and "MM/AAAA" in str(bad.json())


def test_fake_pdf_is_refused_and_nothing_is_stored(
    processes: list[InvoiceProcess],
    operator_user,
    s3_server: S3Server,
    s3_bucket: str,  # type: ignore[no-untyped-def]
) -> None:
    client = _client(operator_user)
    process = processes[0]
    for content in (b"<html>fatura</html>", b"%PDF-1.7\nsem final", b"%PDF-9.9\n%%EOF", pdf_bytes("x")[:-40]):
        response = _upload(client, process, content)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["message"]
    assert s3_server.keys(s3_bucket) == []
    process.refresh_from_db()
    assert process.status == InvoiceStatus.AWAITING_DOWNLOAD
    assert not Execution.objects.filter(kind="INVOICE_MANUAL_UPLOAD").exists()


def test_upload_approve_reject_and_roles(
    processes: list[InvoiceProcess],
    make_user,
    s3_server: S3Server,
    s3_bucket: str,  # type: ignore[no-untyped-def]
) -> None:
    operator, approver = make_user(Role.OPERATOR), make_user(Role.APPROVER)
    first, second = processes[0], processes[1]
    assert _upload(_client(operator), first, pdf_bytes("a"), name="../../Fatura Março ç.pdf").status_code == 200
    assert _upload(_client(operator), second, pdf_bytes("b"), name="../../Fatura Março ç.pdf").status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.manual_upload and first.status == InvoiceStatus.AWAITING_APPROVAL
    assert first.invoice_key != second.invoice_key and ".." not in first.invoice_key
    assert first.invoice_filename == "Fatura_Marco_c.pdf"
    assert sorted(s3_server.keys(s3_bucket)) == sorted([first.invoice_key, second.invoice_key])
    assert Alert.objects.filter(kind="PENDING_APPROVAL", status=AlertStatus.OPEN).count() == 2

    # The operator may not approve; a second upload is a forbidden transition.
    assert _client(operator).post(f"{BASE}{first.pk}/approve/").status_code == 403
    assert _upload(_client(operator), first, pdf_bytes("c")).status_code == 409
    assert _client(operator).post(f"{BASE}{first.pk}/send-to-sat/").status_code == 409

    response = _client(approver).post(f"{BASE}{first.pk}/approve/", HTTP_USER_AGENT="pytest-agent")
    assert response.status_code == 200
    assert response.json()["process"]["approved_by"] == approver.email
    assert _client(approver).post(f"{BASE}{first.pk}/approve/").status_code == 409
    approval = Execution.objects.get(pk=response.json()["execution_id"])
    assert approval.kind == "INVOICE_APPROVAL" and approval.started_by == approver
    assert approval.user_agent == "pytest-agent" and approval.requester_ip == "127.0.0.1"
    assert approval.subject == first
    assert not Alert.objects.filter(
        fingerprint=f"invoices:pending-approval:{first.pk}", status=AlertStatus.OPEN
    ).exists()

    assert _client(approver).post(f"{BASE}{second.pk}/reject/", {"reason": ""}, format="json").status_code == 400
    response = _client(approver).post(f"{BASE}{second.pk}/reject/", {"reason": "Valor errado"}, format="json")
    assert response.status_code == 200
    second.refresh_from_db()
    rejection = InvoiceRejection.objects.get(process=second)
    assert second.status == InvoiceStatus.AWAITING_DOWNLOAD and not second.invoice_key
    assert rejection.reason == "Valor errado" and default_storage.exists(rejection.invoice_key)

    link = _client(operator).get(f"{BASE}{first.pk}/invoice/").json()
    assert "X-Amz-Signature" in link["url"] and link["expires_in"] == 300
    assert _client(operator).get(f"{BASE}{second.pk}/invoice/").status_code == 409
    assert APIClient().get(f"{BASE}{first.pk}/").status_code == 401


def test_local_storage_link_is_a_signed_view_that_expires(processes, operator_user, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    process = processes[0]
    assert _upload(_client(operator_user), process, pdf_bytes("local")).status_code == 200
    url = _client(operator_user).get(f"{BASE}{process.pk}/invoice/").json()["url"]
    response = APIClient().get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    settings.INVOICE_LINK_SECONDS = -1
    assert APIClient().get(url).status_code == 404
