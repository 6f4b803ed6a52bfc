"""Carriers and accounts in the admin: formatted CNPJ, CPF when the carrier needs it, the password never
shown back, and the CSV upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from orchestration.invoices.models import Carrier, CarrierAccount
from orchestration.models import Execution
from tests.orchestration.invoices.factories import account, cnpj, cpf, csv_bytes, formatted_cnpj, row

pytestmark = pytest.mark.django_db
ADD = "/admin/orchestration/carrieraccount/add/"
IMPORT = "/admin/orchestration/carrieraccount/import/"


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "legal_name": "Açaí Ltda",
        "sat_name": "ACAI",
        "cnpj": formatted_cnpj(cnpj(11)),
        "carrier": Carrier.objects.get(code="VIVO").pk,
        "unit": "Matriz",
        "service": "Fixo",
        "filter": "",
        "sat_data": "",
        "portal_login": "acai",
        "portal_password": "segredo-do-portal",
        "cpf": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_account_saved_with_punctuation_is_stored_as_digits_and_shown_formatted(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(operator_user)
    response = client.post(ADD, form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = CarrierAccount.objects.get()
    assert saved.cnpj == cnpj(11) and saved.portal_password == "segredo-do-portal"

    page = client.get(f"/admin/orchestration/carrieraccount/{saved.pk}/change/").content.decode()
    assert f'value="{formatted_cnpj(cnpj(11))}"' in page
    assert "segredo-do-portal" not in page
    listing = client.get("/admin/orchestration/carrieraccount/?q=" + formatted_cnpj(cnpj(11))).content.decode()
    assert formatted_cnpj(cnpj(11)) in listing and "Açaí Ltda" in listing

    # A blank password box keeps the stored one.
    data = form_data(cnpj=cnpj(11), portal_password="", legal_name="Açaí S/A")
    assert client.post(f"/admin/orchestration/carrieraccount/{saved.pk}/change/", data).status_code == 302
    saved.refresh_from_db()
    assert saved.legal_name == "Açaí S/A" and saved.portal_password == "segredo-do-portal"


def test_a_bad_cnpj_a_missing_cpf_and_a_repeated_account_are_refused_on_the_form(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(operator_user)
    page = client.post(ADD, form_data(cnpj="11.222.333/0001-00")).content.decode()
    assert "os dígitos verificadores não conferem" in page

    oi = Carrier.objects.get(code="OI")
    oi.requires_cpf = True
    oi.save()
    page = client.post(ADD, form_data(carrier=oi.pk)).content.decode()
    assert "A operadora Oi exige o CPF do titular." in page
    assert client.post(ADD, form_data(carrier=oi.pk, cpf=cpf(3))).status_code == 302

    # Same CNPJ, carrier and service, the unit in other case: the same account.
    page = client.post(ADD, form_data(carrier=oi.pk, cpf=cpf(3), unit="MATRIZ")).content.decode()
    assert "Já existe a conta" in page
    assert CarrierAccount.objects.count() == 1


def test_approvers_see_accounts_but_change_nothing(approver_user) -> None:  # type: ignore[no-untyped-def]
    existing = account()
    client = logged_in(approver_user)
    assert client.get("/admin/orchestration/carrieraccount/").status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.post(f"/admin/orchestration/carrieraccount/{existing.pk}/change/", {}).status_code == 403
    assert client.get("/admin/orchestration/carrier/").status_code == 200


def test_the_csv_upload_reports_bad_rows_then_imports_the_good_ones(operator_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(operator_user)
    listing = client.get("/admin/orchestration/carrieraccount/").content.decode()
    assert IMPORT in listing
    data = csv_bytes([row(1), row(2, cnpj="123"), row(3)], encoding="cp1252")

    page = client.post(IMPORT, {"file": SimpleUploadedFile("contas.csv", data)}).content.decode()
    assert "Nada foi importado: 1 linha(s) com erro" in page
    assert "<td>3</td><td>cnpj &#x27;123&#x27;: CNPJ inválido" in page
    assert CarrierAccount.objects.count() == 0

    page = client.post(IMPORT, {"file": SimpleUploadedFile("contas.csv", data), "skip_invalid": "on"})
    assert '<td class="created">2</td>' in page.content.decode()
    assert CarrierAccount.objects.count() == 2
    execution = Execution.objects.filter(kind="CARRIER_ACCOUNTS_IMPORT").first()
    assert execution is not None and execution.started_by == operator_user
    assert execution.parameters == {"file": "contas.csv", "dry_run": False, "skip_invalid": True}
