"""Flow 6: `manage.py import_accounts` on files as Brazilian spreadsheets save them."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from orchestration.invoices.imports import carrier_accounts_import
from orchestration.invoices.models import Carrier, CarrierAccount
from orchestration.models import Execution, ExecutionStatus
from tests.orchestration.invoices.factories import HEADER, cnpj, cpf, csv_bytes, row

pytestmark = pytest.mark.django_db


def run(path: Path, *flags: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_accounts", str(path), *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """Windows-1252, `;`: lines 2 and 5 good, 3 (check digit), 4 (carrier), 6 (CPF required), 7 (repeat) bad."""
    Carrier.objects.filter(code="OI").update(requires_cpf=True)
    rows = [
        row(1, razao_social="Açaí Comunicações S/A"),
        row(2, cnpj="11.222.333/0001-00"),
        row(3, carrier="TIM"),
        row(4, carrier="OI", cpf=cpf(4)),
        row(5, carrier="OI"),
        row(1, razao_social="Outra razão"),
    ]
    path = tmp_path / "contas.csv"
    path.write_bytes(csv_bytes(rows, delimiter=";", encoding="cp1252"))
    return path


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(bad_file: Path) -> None:
    with pytest.raises(CommandError) as raised:
        run(bad_file)
    assert "Nada foi importado: 4 linha(s) com erro" in str(raised.value)
    assert CarrierAccount.objects.count() == 0
    execution = Execution.objects.get(kind="CARRIER_ACCOUNTS_IMPORT")
    assert execution.status == ExecutionStatus.FAILED
    lines = list(execution.log_lines.values_list("message", flat=True))
    assert any(line.startswith("Linha 3: cnpj '11.222.333/0001-00'") and "verificadores" in line for line in lines)
    assert any(line.startswith("Linha 4: operadora TIM não cadastrada") for line in lines)
    assert "Linha 6: a operadora OI exige cpf" in lines
    assert any(line.startswith("Linha 7: repete a conta da linha 2") for line in lines)


def test_skip_invalid_imports_the_good_rows_and_counts_the_others(bad_file: Path) -> None:
    out, err = run(bad_file, "--skip-invalid")
    assert "Criadas: 2, atualizadas: 0, inalteradas: 0, ignoradas: 4" in out
    assert "Linha 3: cnpj" in err and "Linha 7: repete" in err
    accounts = {a.cnpj: a for a in CarrierAccount.objects.select_related("carrier")}
    assert set(accounts) == {cnpj(1), cnpj(4)}
    assert accounts[cnpj(1)].legal_name == "Açaí Comunicações S/A"  # Windows-1252 read as such
    assert accounts[cnpj(4)].cpf == cpf(4)
    assert Execution.objects.get(kind="CARRIER_ACCOUNTS_IMPORT").status == ExecutionStatus.PARTIAL


def test_a_utf8_file_with_bom_commas_and_upper_case_headers_imports_and_reimports_unchanged(tmp_path: Path) -> None:
    rows = [row(n, razao_social=f"Empresa {n}, filial São João") for n in range(1, 31)]
    path = tmp_path / "contas.csv"
    path.write_bytes(csv_bytes(rows, delimiter=",", bom=True, header=[name.upper() for name in HEADER]))
    out, _ = run(path)
    assert "Criadas: 30, atualizadas: 0, inalteradas: 0, ignoradas: 0" in out
    account = CarrierAccount.objects.get(cnpj=cnpj(7))
    assert account.legal_name == "Empresa 7, filial São João"
    assert account.portal_password == "senha-7"
    with connection.cursor() as cursor:
        table = CarrierAccount._meta.db_table
        cursor.execute(f"SELECT portal_password FROM {table} WHERE id = %s", [account.pk])  # noqa: S608
        assert "senha-7" not in cursor.fetchone()[0]  # stored encrypted

    out, _ = run(path)
    assert "Criadas: 0, atualizadas: 0, inalteradas: 30, ignoradas: 0" in out

    rows[6]["senha_portal"] = "nova-senha"
    rows[7]["filtro"] = "outro filtro"
    rows[8]["senha_portal"] = ""  # blank keeps the stored password
    path.write_bytes(csv_bytes(rows, delimiter=",", bom=True))
    out, _ = run(path)
    assert "Criadas: 0, atualizadas: 2, inalteradas: 28, ignoradas: 0" in out
    assert CarrierAccount.objects.get(cnpj=cnpj(7)).portal_password == "nova-senha"
    assert CarrierAccount.objects.get(cnpj=cnpj(9)).portal_password == "senha-9"


def test_dry_run_counts_what_it_would_do_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "contas.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(1, 6)]))
    out, _ = run(path, "--dry-run")
    assert "Simulação (nada gravado). Criadas: 5" in out
    assert CarrierAccount.objects.count() == 0


def test_a_file_without_a_required_column_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "contas.csv"
    path.write_bytes(csv_bytes([row(1)], header=[name for name in HEADER if name != "operadora"]))
    with pytest.raises(CommandError, match=r"Faltam colunas obrigatórias no cabeçalho \(linha 1\): operadora"):
        run(path)


def test_the_import_is_bulk_not_a_query_per_row(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes([row(n) for n in range(1, 2501)])
    with django_assert_max_num_queries(12):
        report = carrier_accounts_import(source=data)
    assert report.created == 2500
    with django_assert_max_num_queries(6):
        report = carrier_accounts_import(source=data)
    assert report.unchanged == 2500
