"""`import_whatsapp_sessions FILE.csv` (by header, row-level errors, all-or-nothing unless --skip-invalid)
and `whatsapp status|sync|cleanup|check-inactive [--session ID]`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from orchestration.models import Execution
from whatsapp_health.checks import CHECK_KIND, SESSION_CHECK_KIND
from whatsapp_health.housekeeping import CLEANUP_KIND, CONVERSATIONS_KIND
from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sessions.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "phone,instance,api_key,base_url,provider,name\n+5511,loja,k1,https://evo.example.com,evolution,Loja\n"


def test_import_reads_columns_by_header_and_updates_on_a_second_run(tmp_path: Path) -> None:
    text = GOOD + "+5512,default,k2,https://waha.example.com/,WAHA,Atendimento\n"

    out, _err = _run("import_whatsapp_sessions", _csv(tmp_path, text))

    assert "2 sessões criadas, 0 atualizadas" in out
    loja = WhatsAppSession.objects.get(instance="loja")
    assert (loja.provider, loja.base_url, loja.api_key, loja.phone) == (
        Provider.EVOLUTION,
        "https://evo.example.com",
        "k1",
        "+5511",
    )
    assert WhatsAppSession.objects.get(instance="default").base_url == "https://waha.example.com"
    out, _err = _run("import_whatsapp_sessions", _csv(tmp_path, text.replace("Loja", "Loja Centro")))
    assert "0 sessões criadas, 2 atualizadas" in out
    assert WhatsAppSession.objects.get(instance="loja").name == "Loja Centro"


def test_import_with_bad_rows_writes_nothing_and_names_each_problem(tmp_path: Path) -> None:
    text = (
        GOOD
        + ",x,k,https://evo.example.com,evolution,Sem telefone ok\n"
        + "+1,y,k,ftp://nope,evolution,URL ruim\n"
        + "+1,z,,https://evo.example.com,zap,Sem chave\n"
        + "+1,loja,k,https://evo.example.com,evolution,Repetida\n"
    )

    with pytest.raises(CommandError, match="4 erros no arquivo; nada foi importado"):
        call_command("import_whatsapp_sessions", _csv(tmp_path, text), stdout=StringIO(), stderr=(err := StringIO()))

    assert WhatsAppSession.objects.count() == 0
    problems = err.getvalue()
    assert "linha 4, coluna base_url" in problems
    assert "linha 5, coluna api_key: obrigatória" in problems and "linha 5, coluna provider" in problems
    assert "linha 6: mesma instância da linha 2" in problems

    out, err_text = _run("import_whatsapp_sessions", _csv(tmp_path, text), "--skip-invalid")
    assert "2 sessões criadas" in out and "4 linhas com erro ignoradas" in out
    assert sorted(WhatsAppSession.objects.values_list("instance", flat=True)) == ["loja", "x"]


def test_import_refuses_a_header_without_the_required_columns(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="faltam as colunas api_key"):
        call_command("import_whatsapp_sessions", _csv(tmp_path, "name,provider,base_url,instance,color\n"))


def test_the_source_scripts_as_one_command(make_session, evolution, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    default = make_session("abc123", state="open", status=SessionStatus.DISCONNECTED, is_default=True)
    other = make_session("loja", state="close", status=SessionStatus.CONNECTED)

    status, _err = _run("whatsapp", "status")
    assert json.loads(status)["connected"] is True and json.loads(status)["session"] == default.pk

    out, _err = _run("whatsapp", "sync", "--session", str(other.pk))
    assert "Syncing session loja: marking as DISCONNECTED (was CONNECTED)" in out
    out, _err = _run("whatsapp", "sync")
    assert "Syncing session abc123: marking as CONNECTED (was DISCONNECTED)" in out
    _run("whatsapp", "cleanup")
    _run("whatsapp", "check-inactive")

    kinds = list(Execution.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [SESSION_CHECK_KIND, CHECK_KIND, CLEANUP_KIND, CONVERSATIONS_KIND]
    with pytest.raises(CommandError, match="não encontrada"):
        call_command("whatsapp", "status", "--session", "999", stdout=StringIO())
