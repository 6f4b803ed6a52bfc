"""`manage.py ensure_admin`: the first administrator of `make run`, its password printed once."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orchestration.models import Role, User

PASSWORD_LINE = re.compile(r"^Senha gerada: (\S+)$", re.MULTILINE)


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_first_admin_gets_a_generated_password_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)

    first = run("ensure_admin")
    second = run("ensure_admin")

    [password] = PASSWORD_LINE.findall(first)
    admin = User.objects.get(email="admin@orquestra.local")
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert "Administrador já existe: admin@orquestra.local" in second
    assert password not in second
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_admin_email_and_password_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORQUESTRA_ADMIN_EMAIL", "chefe@empresa.com.br")
    monkeypatch.setenv("ORQUESTRA_ADMIN_PASSWORD", "uma-senha-escolhida")

    output = run("ensure_admin")

    assert "uma-senha-escolhida" not in output
    assert not PASSWORD_LINE.search(output)
    assert User.objects.get(email="chefe@empresa.com.br").check_password("uma-senha-escolhida")


@pytest.mark.django_db
def test_an_existing_active_admin_means_nothing_is_created(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)
    existing = make_user(Role.ADMINISTRATOR, email="dona@empresa.com.br")

    output = run("ensure_admin")

    assert f"Administrador já existe: {existing.email}" in output
    assert not User.objects.filter(email="admin@orquestra.local").exists()


@pytest.mark.django_db
def test_an_inactive_admin_does_not_count(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)
    former = make_user(Role.ADMINISTRATOR, email="ex@empresa.com.br")
    former.is_active = False
    former.save()

    output = run("ensure_admin")

    assert PASSWORD_LINE.search(output)
    assert User.objects.get(email="admin@orquestra.local").is_active


@pytest.mark.django_db
def test_admin_email_taken_by_a_non_admin_is_a_clear_error(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    make_user(Role.OPERATOR, email="admin@orquestra.local")

    with pytest.raises(CommandError, match="ORQUESTRA_ADMIN_EMAIL"):
        run("ensure_admin")
    assert not User.objects.filter(role=Role.ADMINISTRATOR).exists()
