"""`import_kommo_accounts`: columns by header, row-level errors with line and column, all or nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrations.kommo.models import AccountRole, KommoAccount

pytestmark = pytest.mark.services

HEADER = "name;subdomain;role;access_token;refresh_token;expires_at;long_lived_token;client_id\n"


def run(tmp_path: Path, content: str) -> tuple[str, str]:
    path = tmp_path / "contas.csv"
    path.write_text(content, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_kommo_accounts", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_valid_file_registers_every_account_and_a_bad_row_writes_nothing(db: None, tmp_path: Path) -> None:
    rows = [
        "Matriz;matriz;MASTER;at-1;rt-1;2026-12-31T12:00:00-03:00;;\n",
        *[f"Loja {n};loja-{n};replica;;;;llt-{n};\n" for n in range(1, 120)],
    ]
    out, _err = run(tmp_path, HEADER + "".join(rows))

    assert "120 novas" in out
    assert KommoAccount.objects.filter(role=AccountRole.REPLICA).count() == 119
    master = KommoAccount.objects.get(subdomain="matriz")
    assert master.refresh_token == "rt-1" and master.expires_at.isoformat() == "2026-12-31T15:00:00+00:00"

    bad = HEADER + (
        "Loja 1 renomeada;loja-1;REPLICA;;;;llt-novo;\n"
        "Outra mestre;outra;MASTER;;;;llt;\n"
        "Sem token;sem-token;REPLICA;at;;ontem;;\n"
        "Papel;papel;chefe;;;;llt;\n"
        "Repetida;loja-1;REPLICA;;;;llt;\n"
        "Inválida;sub_dominio!;REPLICA;;;;llt;\n"
    )
    path = tmp_path / "contas.csv"
    path.write_text(bad, encoding="utf-8")
    err_out = StringIO()
    with pytest.raises(CommandError, match="Nada foi importado: 6 erro"):
        call_command("import_kommo_accounts", str(path), stdout=StringIO(), stderr=err_out)
    errors = err_out.getvalue()
    assert "Linha 4, coluna refresh_token: obrigatório sem long_lived_token." in errors
    assert "Linha 4, coluna expires_at: “ontem” não é uma data ISO 8601" in errors
    assert "Linha 5, coluna role: “chefe” não é MASTER nem REPLICA." in errors
    assert "Linha 6, coluna subdomain: “loja-1” repete a linha 2." in errors
    assert "Linha 7, coluna subdomain: Subdomínio inválido" in errors
    assert "Só pode haver uma conta mestre ativa; o arquivo resultaria em: outra, matriz." in errors
    assert KommoAccount.objects.get(subdomain="loja-1").name == "Loja 1"  # nothing written
    assert not KommoAccount.objects.filter(subdomain="outra").exists()
