"""Flow 8: a month's totals by status, carrier and amount, on the API (JSON, CSV) and as a staff page."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from tests.orchestration.invoices.factories import account

pytestmark = pytest.mark.django_db
REPORT = "/api/v1/invoice-processes/report/"
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def march() -> None:
    vivo_a, vivo_b, oi = account("VIVO"), account("VIVO"), account("OI")
    rows = [
        (vivo_a, MARCH, InvoiceStatus.AWAITING_APPROVAL, "1234.56"),
        (vivo_b, MARCH, InvoiceStatus.SAT_UPLOADED, "100.44"),
        (oi, MARCH, InvoiceStatus.AWAITING_APPROVAL, "10.00"),
        (vivo_a, datetime.date(2026, 2, 1), InvoiceStatus.SAT_UPLOADED, "999.99"),  # another month
    ]
    for owner, month, status, amount in rows:
        InvoiceProcess.objects.create(account=owner, month=month, status=status, amount=Decimal(amount))
    third = account("OI")
    InvoiceProcess.objects.create(account=third, month=MARCH)  # awaiting download, no amount yet


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_json_report_sums_by_status_and_carrier(march: None, approver_user) -> None:  # type: ignore[no-untyped-def]
    data = api(approver_user).get(REPORT, {"month": "03/2026"}).json()
    assert data["month"] == "03/2026"
    assert data["total"] == {"count": 4, "amount": "1345.00", "without_amount": 1}
    by_status = {row["status"]: (row["count"], row["amount"]) for row in data["by_status"]}
    assert by_status == {
        "AWAITING_DOWNLOAD": (1, "0.00"),
        "AWAITING_APPROVAL": (2, "1244.56"),
        "AWAITING_SAT_UPLOAD": (0, "0.00"),
        "SAT_UPLOADED": (1, "100.44"),
    }
    carriers = {row["carrier"]: (row["count"], row["amount"]) for row in data["by_carrier"]}
    assert carriers == {"VIVO": (2, "1335.00"), "OI": (2, "10.00")}


def test_the_csv_by_accept_header_or_format_and_a_bad_month(march: None, operator_user) -> None:  # type: ignore[no-untyped-def]
    client = api(operator_user)
    by_accept = client.get(REPORT, {"month": "3/2026"}, HTTP_ACCEPT="text/csv")
    by_format = client.get(f"{REPORT}?month=03/2026&format=csv")
    assert by_accept.status_code == by_format.status_code == 200
    assert by_accept["Content-Type"].startswith("text/csv")
    assert by_accept.content == by_format.content
    rows = list(csv.reader(io.StringIO(by_accept.content.decode())))
    assert rows[0] == ["mes", "operadora", "situacao", "processos", "valor", "sem_valor"]
    assert ["03/2026", "VIVO", "AWAITING_APPROVAL", "1", "1234.56", "0"] in rows
    assert rows[-1] == ["03/2026", "TOTAL", "TOTAL", "4", "1345.00", "1"]

    bad = client.get(f"{REPORT}?month=13/2026&format=csv")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert "Mês inválido" in bad.json()["error"]["details"]["month"][0]


def test_the_page_shows_the_totals_in_the_admin_look_and_offers_a_spreadsheet_csv(march: None, approver_user) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/invoices/report/").status_code == 302  # to the admin login
    client = Client()
    client.force_login(approver_user)
    page = client.get("/invoices/report/?month=03/2026")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Relatório mensal das faturas — 03/2026" in html and 'id="site-name"' in html
    assert '<th class="amount">1.345,00</th>' in html
    assert 'data-carrier="VIVO"' in html and "1.335,00" in html

    spreadsheet = client.get("/invoices/report/?month=03/2026&format=csv")
    text = spreadsheet.content.decode("utf-8")
    assert text.startswith("\ufeffmes;operadora;situacao")
    assert "03/2026;TOTAL;TOTAL;4;1345,00;1" in text
    assert client.get("/invoices/report/?month=2026-03").status_code == 400
    assert "/invoices/report/" in client.get("/admin/orchestration/carrieraccount/").content.decode()
