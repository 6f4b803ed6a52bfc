"""`/api/v1/carriers/` and `/api/v1/carrier-accounts/`: roles, validation per field, the write-only portal
password, filters and search, and the CSV import."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orchestration.invoices.models import Carrier, CarrierAccount, InvoiceProcess
from tests.orchestration.invoices.factories import account, cnpj, cpf, csv_bytes, formatted_cnpj, row

pytestmark = pytest.mark.django_db
ACCOUNTS = "/api/v1/carrier-accounts/"
CARRIERS = "/api/v1/carriers/"


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "legal_name": "Açaí Ltda",
        "cnpj": formatted_cnpj(cnpj(21)),
        "carrier": Carrier.objects.get(code="VIVO").pk,
        "unit": "Matriz",
        "service": "Fixo",
        "portal_login": "acai",
        "portal_password": "segredo-do-portal",
    }
    data.update(overrides)
    return data


def test_an_operator_creates_an_account_and_never_reads_its_password_back(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = api(operator_user)
    created = client.post(ACCOUNTS, body(), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["cnpj"] == cnpj(21) and data["cnpj_formatted"] == formatted_cnpj(cnpj(21))
    assert data["carrier_code"] == "VIVO" and data["has_portal_password"] is True
    assert "portal_password" not in data and "segredo-do-portal" not in created.content.decode()

    url = f"{ACCOUNTS}{data['id']}/"
    assert "segredo-do-portal" not in client.get(url).content.decode()
    changed = client.patch(url, {"legal_name": "Açaí S/A", "portal_password": ""}, format="json")
    assert changed.status_code == 200
    assert CarrierAccount.objects.get().portal_password == "segredo-do-portal"  # blank keeps it
    client.patch(url, {"portal_password": "nova"}, format="json")
    assert CarrierAccount.objects.get().portal_password == "nova"


def test_cnpj_cpf_and_identity_errors_name_their_field(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = api(operator_user)
    bad = client.post(ACCOUNTS, body(cnpj="11.222.333/0001-00", cpf="123"), format="json")
    assert bad.status_code == 400
    details = bad.json()["error"]["details"]
    assert "os dígitos verificadores não conferem" in details["cnpj"][0]
    assert "CPF inválido" in details["cpf"][0]

    oi = Carrier.objects.get(code="OI")
    oi.requires_cpf = True
    oi.save()
    missing = client.post(ACCOUNTS, body(carrier=oi.pk), format="json")
    assert missing.json()["error"]["details"] == {"cpf": ["A operadora Oi exige o CPF do titular."]}
    assert client.post(ACCOUNTS, body(carrier=oi.pk, cpf=cpf(5)), format="json").status_code == 201
    again = client.post(ACCOUNTS, body(carrier=oi.pk, cpf=cpf(5), unit="matriz"), format="json")
    assert again.status_code == 400 and "Já existe uma conta" in again.json()["error"]["details"]["cnpj"][0]


def test_filters_carrier_active_cnpj_and_search(operator_user) -> None:  # type: ignore[no-untyped-def]
    vivo = account("VIVO", legal_name="Padaria Estrela")
    oi = account("OI", legal_name="Mercado Lua", is_active=False)
    client = api(operator_user)

    def ids(query: str) -> set[int]:
        response = client.get(f"{ACCOUNTS}?{query}")
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["results"]}

    assert ids("carrier=vivo") == {vivo.pk}
    assert ids(f"carrier={oi.carrier_id}") == {oi.pk}
    assert ids("active=false") == {oi.pk}
    assert ids(f"cnpj={formatted_cnpj(vivo.cnpj)}") == {vivo.pk}
    assert ids("search=estrela") == {vivo.pk}
    carriers = client.get(f"{CARRIERS}?search=embra").json()["results"]
    assert [c["code"] for c in carriers] == ["EMBRATEL"]


def test_approvers_read_and_operators_do_not_change_carriers(approver_user, operator_user, admin_user) -> None:  # type: ignore[no-untyped-def]
    existing = account()
    approver = api(approver_user)
    assert approver.get(ACCOUNTS).status_code == 200
    assert approver.post(ACCOUNTS, body(), format="json").status_code == 403
    assert approver.patch(f"{ACCOUNTS}{existing.pk}/", {"unit": "X"}, format="json").status_code == 403

    new_carrier = {"name": "Claro", "code": "claro", "has_rpa": False}
    assert api(operator_user).post(CARRIERS, new_carrier, format="json").status_code == 403
    assert api(operator_user).delete(f"{ACCOUNTS}{existing.pk}/").status_code == 403
    created = api(admin_user).post(CARRIERS, new_carrier, format="json")
    assert created.status_code == 201 and created.json()["code"] == "CLARO"

    InvoiceProcess.objects.create(account=existing, month=datetime.date(2026, 3, 1))
    assert api(admin_user).delete(f"{ACCOUNTS}{existing.pk}/").status_code == 409
    assert api(admin_user).delete(f"{CARRIERS}{existing.carrier_id}/").status_code == 409


def test_the_csv_import_on_the_api(operator_user, approver_user) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes([row(1), row(2), row(3, cnpj="99")], delimiter=",", bom=True)
    upload = SimpleUploadedFile("contas.csv", data, content_type="text/csv")
    assert api(approver_user).post(f"{ACCOUNTS}import/", {"file": upload}, format="multipart").status_code == 403

    refused = api(operator_user).post(
        f"{ACCOUNTS}import/", {"file": SimpleUploadedFile("contas.csv", data)}, format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["errors"][0]["line"] == 4
    done = api(operator_user).post(
        f"{ACCOUNTS}import/",
        {"file": SimpleUploadedFile("contas.csv", data), "skip_invalid": "true"},
        format="multipart",
    )
    assert done.status_code == 200
    assert {k: done.json()[k] for k in ("created", "skipped", "encoding", "delimiter")} == {
        "created": 2,
        "skipped": 1,
        "encoding": "utf-8-sig",
        "delimiter": ",",
    }
