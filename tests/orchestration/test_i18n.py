"""pt-BR by default, English on request (Accept-Language), and a compiled English catalog that covers the source."""

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from orchestration.models import ExecutionStatus, Role, User

CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
# The same folders `makemessages ... --ignore=.venv --ignore=var --ignore=tests --ignore=bench` skips.
SKIPPED_DIRS = {".venv", "var", "tests", "bench", "locale", "node_modules", "__pycache__"}
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.+?)\1""")


def _catalog() -> dict[str | tuple[str, int], str]:
    with CATALOG.open("rb") as mo:
        # _catalog is the parsed .mo; the public API answers with the msgid itself when a string is missing.
        return gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]


def _source_files(suffix: str) -> Iterator[Path]:
    for path in Path(settings.BASE_DIR).rglob(f"*{suffix}"):
        parts = path.relative_to(settings.BASE_DIR).parts
        if not any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            yield path


def _source_msgids() -> set[str]:
    """Literal msgids of gettext calls in .py files and of {% translate %} tags in templates."""
    msgids = set()
    for path in _source_files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in GETTEXT_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                msgids.add(first.value)
    for path in _source_files(".html"):
        msgids.update(match[1] for match in TEMPLATE_TRANSLATE.findall(path.read_text(encoding="utf-8")))
    return msgids


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_api_errors_are_portuguese_by_default_and_english_on_request(operator_user: User) -> None:
    client = APIClient()
    client.force_authenticate(operator_user)

    default = client.get("/api/v1/executions/999999/")
    english = client.get("/api/v1/executions/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert default.status_code == english.status_code == 404
    assert default.json()["error"]["message"] == "Não encontrado."
    assert english.json()["error"]["message"] == "Not found."
    assert default["Content-Language"] == "pt-br"
    assert english["Content-Language"] == "en"


@pytest.mark.django_db
def test_validation_errors_follow_the_requested_language(operator_user: User) -> None:
    client = APIClient()
    client.force_authenticate(operator_user)

    default = client.get("/api/v1/executions/?status=DONE")
    english = client.get("/api/v1/executions/?status=DONE", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert default.json()["error"]["message"] == "Os dados enviados são inválidos."
    assert english.json()["error"]["message"] == "The submitted data is invalid."


@pytest.mark.django_db
def test_the_admin_login_page_is_portuguese_by_default_and_english_on_request() -> None:
    default = Client().get("/admin/login/")
    english = Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert default.status_code == english.status_code == 200
    assert "Senha:" in default.content.decode()
    assert "Password:" in english.content.decode()
    assert "Password:" not in default.content.decode()


@pytest.mark.django_db
def test_the_admin_index_shows_our_own_labels_in_either_language(admin_user: User) -> None:
    client = _signed_in(admin_user)

    default = client.get("/admin/").content.decode()
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Administração" in default and "Execuções" in default
    assert "Administration" in english and "Executions" in english
    assert "Execuções" not in english


def test_status_and_role_labels_are_translated_under_an_english_override() -> None:
    with translation.override("en"):
        assert str(ExecutionStatus.SUCCEEDED.label) == "Succeeded"
        assert str(ExecutionStatus.QUEUED.label) == "Queued"
        assert str(Role.APPROVER.label) == "Approver"
    with translation.override("pt-br"):
        assert str(ExecutionStatus.SUCCEEDED.label) == "Concluída"
        assert str(Role.APPROVER.label) == "Aprovador"


def test_every_catalog_entry_has_an_english_translation() -> None:
    catalog = _catalog()
    with translation.override(None):  # no translation: the labels are the msgids
        known = [str(choice.label) for choice in (*ExecutionStatus, *Role)]

    untranslated = sorted(str(key) for key, value in catalog.items() if key and not value.strip())
    assert not untranslated, f"empty msgstr in {CATALOG.name}: {untranslated}"
    assert all(label in catalog and catalog[label] != label for label in known)


def test_the_compiled_catalog_covers_every_string_in_the_source() -> None:
    catalog = _catalog()
    msgids = {key if isinstance(key, str) else key[0] for key in catalog}

    missing = sorted(_source_msgids() - msgids)
    assert not missing, (
        f"{len(missing)} source strings are not in {CATALOG}; run manage.py makemessages -l en "
        f"(see README, Languages), translate them, then compilemessages: {missing[:10]}"
    )
