"""The third-party apps' admin sections (periodic tasks, Celery results, API tokens) read in pt-BR.

django_celery_beat ships no pt_BR catalog and django_celery_results an incomplete one; locale/pt_BR holds
their English msgids translated (our own msgids are Portuguese already, so that is all it holds)."""

import ast
import gettext
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin import site
from django.test import Client
from django.utils import translation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from orchestration.models import User

pytestmark = pytest.mark.django_db

CATALOG_DIR = Path(settings.BASE_DIR) / "locale" / "pt_BR" / "LC_MESSAGES"
THIRD_PARTY_APPS = ("django_celery_beat", "django_celery_results", "authtoken")
# The same word in both languages (or a technical term people use untranslated).
SAME_IN_PORTUGUESE = {"Latitude", "Longitude", "crontab", "crontabs", "Token", "Tokens", "Worker", "Traceback",
                      "Exchange"}  # fmt: skip
ENGLISH_LEFTOVERS = [
    "Periodic tasks", "Periodic Tasks", "Task results", "Group results", "Celery Results", "Intervals", "Interval",
    "Clocked", "Solar events", "Auth Token", "Task Name", "Enabled", "Last Run Datetime", "Description",
    "Positional Arguments", "Keyword Arguments", "Interval Schedule", "Crontab Schedule", "Execution Options",
    "Run selected tasks", "One-off Task",
]  # fmt: skip


def _administrator() -> Client:
    user = User.objects.create_superuser("admin-i18n@example.com", "s3nha-forte!", name="Admin")
    client = Client(HTTP_ACCEPT_LANGUAGE="pt-BR")
    client.force_login(user)
    return client


def _no_english(html: str) -> None:
    leftovers = [text for text in ENGLISH_LEFTOVERS if f">{text}<" in html or f">{text}:<" in html]
    assert leftovers == []


def test_the_admin_index_names_the_third_party_sections_in_portuguese() -> None:
    html = _administrator().get("/admin/").content.decode()

    sections = [
        "Tarefas periódicas", "Intervalos", "Eventos solares", "Data marcada", "Crontabs",
        "Resultados do Celery", "Resultados de tarefas", "Resultados de grupos", "Token de autenticação",
    ]  # fmt: skip
    for text in sections:
        assert text in html, text
    _no_english(html)


def test_the_periodic_task_list_and_form_read_in_portuguese() -> None:
    client = _administrator()
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(name="Limpeza", task="orchestration.tasks.nothing", interval=every_hour)
    CrontabSchedule.objects.create(minute="0", hour="6")

    listing = client.get("/admin/django_celery_beat/periodictask/").content.decode()
    form = client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/").content.decode()
    interval = client.get(f"/admin/django_celery_beat/intervalschedule/{every_hour.pk}/change/").content.decode()
    results = client.get("/admin/django_celery_results/taskresult/").content.decode()

    assert "Executar as tarefas selecionadas" in listing and "Ativar as tarefas selecionadas" in listing
    assert "a cada hora" in listing  # the interval's own text
    for label in ["Nome", "Tarefa (registrada)", "Agendamento", "Argumentos posicionais", "Argumentos nomeados",
                  "Opções de execução", "Agendamento por intervalo", "Agendamento crontab", "Tarefa de uma vez só",
                  "Descrição", "Última execução em"]:  # fmt: skip
        assert label in form, label
    assert "Número de períodos" in interval and "Período do intervalo" in interval and ">Horas<" in interval
    assert "Resultados de tarefas" in results or "resultado de tarefa" in results
    for html in (listing, form, interval, results):
        _no_english(html)


def test_every_label_of_the_third_party_models_is_translated() -> None:
    untranslated = []
    with translation.override("pt-br"):
        for label in THIRD_PARTY_APPS:
            config = apps.get_app_config(label)
            texts = [config.verbose_name]
            for model in (model for model in config.get_models() if site.is_registered(model)):
                texts += [model._meta.verbose_name, model._meta.verbose_name_plural]
                for field in model._meta.get_fields():
                    texts += [getattr(field, "verbose_name", ""), getattr(field, "help_text", "")]
                    texts += [choice for _value, choice in getattr(field, "choices", None) or []]
            for text in texts:
                if not text or isinstance(text, str):
                    continue  # a plain string was never marked for translation
                with translation.override("en"):
                    english = str(text)
                if str(text) == english and english not in SAME_IN_PORTUGUESE:
                    untranslated.append(f"{label}: {english}")
    assert untranslated == []


def _po_entries(path: Path) -> list[dict[str, str]]:
    """msgid, msgid_plural, msgstr, msgstr[0], msgstr[1] of each entry (the few forms this catalog uses)."""
    entries: list[dict[str, str]] = []
    key = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            entries.append({})
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entries[-1][key] += ast.literal_eval(line)
            continue
        key, _, literal = line.partition(" ")
        entries[-1][key] = ast.literal_eval(literal)
    return [entry for entry in entries if entry["msgid"]]


def test_the_committed_catalog_is_the_compiled_po_file() -> None:
    with (CATALOG_DIR / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = _po_entries(CATALOG_DIR / "django.po")
    assert len(entries) > 150
    for entry in entries:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[1]"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
