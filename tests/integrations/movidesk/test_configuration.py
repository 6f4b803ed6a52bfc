"""HH:MM list → crontab PeriodicTasks, token resolution order, and the "not configured" failure."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from integrations.movidesk.configuration import (
    SCHEDULE_PREFIX,
    movidesk_connection,
    movidesk_settings_get,
    movidesk_settings_update,
    sync_times_normalize,
)
from integrations.movidesk.exceptions import MovideskNotConfigured
from integrations.movidesk.models import MovideskSettings
from integrations.movidesk.tasks import movidesk_sync_scheduled
from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, ExecutionStatus
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db


def movidesk_tasks() -> dict[str, PeriodicTask]:
    return {
        task.name: task
        for task in PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).select_related("crontab")
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["18:00", "08:00", "12:00"], ["08:00", "12:00", "18:00"]),
        (["08:00", "08:00", " 8:00 "], ["08:00"]),
        ("07:30, 23:59;00:00\n12:15", ["00:00", "07:30", "12:15", "23:59"]),
    ],
)
def test_times_are_validated_merged_and_sorted(given: object, expected: list[str]) -> None:
    assert sync_times_normalize(given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["24:00", "12:60", "1200", "12:5", "meio-dia", "-1:00", "08:\uff10\uff10", "\u0660\u0668:\u0660\u0660"]
)
def test_invalid_times_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed, match="Horário inválido"):
        sync_times_normalize([bad])


def test_saving_the_list_writes_one_crontab_task_per_time_in_local_time() -> None:
    before = PeriodicTasks.last_change()

    movidesk_settings_update(sync_times=["18:00", "08:00", "08:00", "12:30"])

    tasks = movidesk_tasks()
    assert sorted(tasks) == [f"{SCHEDULE_PREFIX}08:00", f"{SCHEDULE_PREFIX}12:30", f"{SCHEDULE_PREFIX}18:00"]
    task = tasks[f"{SCHEDULE_PREFIX}12:30"]
    assert task.task == "integrations.movidesk_sync_scheduled"
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("12", "30", "*")
    assert str(task.crontab.timezone) == "America/Sao_Paulo"
    assert task.enabled and json.loads(task.kwargs) == {}
    assert PeriodicTasks.last_change() != before


def test_removed_times_lose_their_tasks_and_other_tasks_are_left_alone() -> None:
    other = PeriodicTask.objects.create(
        name="outra tarefa", task="orchestration.heartbeat", interval=IntervalSchedule.objects.create(every=60)
    )
    movidesk_settings_update(sync_times=["08:00", "12:00", "18:00"])
    stamp = PeriodicTasks.last_change()

    movidesk_settings_update(sync_times=["12:00", "21:45"])

    assert sorted(movidesk_tasks()) == [f"{SCHEDULE_PREFIX}12:00", f"{SCHEDULE_PREFIX}21:45"]
    assert PeriodicTask.objects.filter(pk=other.pk).exists()
    assert PeriodicTasks.last_change() != stamp  # beat is told, also about the deletions


def test_switching_the_automatic_sync_off_disables_its_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    movidesk_settings_update(sync_times=["08:00"], enabled=False)
    assert [task.enabled for task in movidesk_tasks().values()] == [False]

    movidesk_settings_update(enabled=True)
    assert [task.enabled for task in movidesk_tasks().values()] == [True]

    settings.MOVIDESK_ENABLED = False
    movidesk_settings_update()
    assert [task.enabled for task in movidesk_tasks().values()] == [False]


def test_setup_schedules_writes_the_default_times_when_never_configured() -> None:
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert sorted(movidesk_tasks()) == [f"{SCHEDULE_PREFIX}{t}" for t in ("08:00", "12:00", "18:00")]


def test_setup_schedules_keeps_a_time_the_administrator_disabled_and_changes_nothing_twice() -> None:
    movidesk_settings_update(sync_times=["08:00", "12:00"])
    PeriodicTask.objects.filter(name=f"{SCHEDULE_PREFIX}08:00").update(enabled=False)
    PeriodicTasks.update_changed()

    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    changed_before = PeriodicTasks.last_change()
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert {name: task.enabled for name, task in movidesk_tasks().items()} == {
        f"{SCHEDULE_PREFIX}08:00": False,
        f"{SCHEDULE_PREFIX}12:00": True,
    }
    # The second run changed nothing, so a running beat is not made to reload.
    assert PeriodicTasks.last_change() == changed_before


def test_a_disabled_automatic_sync_records_a_skipped_run(settings) -> None:  # type: ignore[no-untyped-def]
    movidesk_settings_update(enabled=False)

    execution = Execution.objects.get(pk=movidesk_sync_scheduled.apply().get())

    assert execution.status == ExecutionStatus.SKIPPED
    assert "desativada" in execution.log_lines.get().message


def test_the_token_saved_in_the_admin_wins_and_is_encrypted_at_rest(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOVIDESK_TOKEN = "env-token"
    settings.MOVIDESK_BASE_URL = "https://movidesk.example/public/v1"
    assert movidesk_connection().token == "env-token"
    assert movidesk_connection().source == "environment"

    movidesk_settings_update(token="admin-token-123")

    resolved = movidesk_connection()
    assert (resolved.token, resolved.source, resolved.base_url) == (
        "admin-token-123",
        "admin",
        "https://movidesk.example/public/v1",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM integrations_movidesksettings")
        stored = cursor.fetchone()[0]
    assert "admin-token-123" not in stored

    movidesk_settings_update(token="")  # blank keeps it
    assert MovideskSettings.objects.get().token == "admin-token-123"
    movidesk_settings_update(clear_token=True)
    assert movidesk_connection().source == "environment"


def test_without_any_token_the_demo_simulator_is_used_when_enabled(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOVIDESK_TOKEN = ""
    settings.DEMO_SIMULATORS = True
    settings.MOVIDESK_SIMULATOR_PORT = 18101

    resolved = movidesk_connection()

    assert resolved.source == "demo"
    assert resolved.base_url == "http://127.0.0.1:18101/public/v1"


def test_without_token_nor_simulator_a_run_fails_fast_and_is_not_retried(settings, movidesk_server: FakeServer) -> None:  # type: ignore[no-untyped-def]
    settings.MOVIDESK_TOKEN = ""
    settings.DEMO_SIMULATORS = False
    with pytest.raises(MovideskNotConfigured):
        movidesk_connection()

    execution = Execution.objects.get(pk=movidesk_sync_scheduled.apply().get())

    assert execution.status == ExecutionStatus.FAILED
    assert execution.attempt == 1
    assert "Movidesk não configurado" in execution.error
    assert movidesk_server.requests == []


def test_unicode_digits_never_become_a_second_task_for_the_same_minute() -> None:
    with pytest.raises(ValidationFailed, match="Horário inválido"):
        movidesk_settings_update(sync_times=["08:00", "08:\uff10\uff10", "\u0660\u0668:\u0660\u0660"])
    assert movidesk_tasks() == {}


def test_an_empty_list_is_refused_and_the_switch_turns_the_sync_off() -> None:
    movidesk_settings_update(sync_times=["08:00", "18:00"])

    with pytest.raises(ValidationFailed, match="ao menos um horário"):
        movidesk_settings_update(sync_times=[])
    movidesk_settings_update(enabled=False)

    tasks = movidesk_tasks()
    assert sorted(tasks) == [f"{SCHEDULE_PREFIX}08:00", f"{SCHEDULE_PREFIX}18:00"]
    assert not any(task.enabled for task in tasks.values())


def test_a_list_longer_than_the_maximum_is_refused_quickly() -> None:
    every_minute = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60)]

    with pytest.raises(ValidationFailed, match="no máximo 48"):
        movidesk_settings_update(sync_times=every_minute[:49])
    with pytest.raises(ValidationFailed, match="no máximo 48"):
        movidesk_settings_update(sync_times=every_minute)
    assert movidesk_tasks() == {}


def test_a_whitespace_only_token_keeps_the_stored_one() -> None:
    movidesk_settings_update(token="token-de-verdade")

    movidesk_settings_update(token="   \t ")

    assert movidesk_settings_get().token == "token-de-verdade"
