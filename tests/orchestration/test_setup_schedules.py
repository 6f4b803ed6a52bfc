"""`setup_schedules` writes the shipped periodic tasks once and then respects what administrators did."""

import json
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from orchestration.registries.schedules import (
    ScheduleSpec,
    register_schedule,
    register_schedule_hook,
    unregister_schedule,
    unregister_schedule_hook,
)
from orchestration.services.periodic_tasks import interval_schedule_for
from orchestration.services.schedules import schedules_setup

pytestmark = pytest.mark.django_db

HEARTBEAT = "orchestration.heartbeat"


def snapshot() -> list[dict]:
    return list(PeriodicTask.objects.order_by("pk").values())


@pytest.fixture
def weekday_spec() -> Iterator[ScheduleSpec]:
    spec = register_schedule(
        ScheduleSpec(
            name="test: weekday mornings",
            task="orchestration.smoke_test",
            crontab="30 6 * * 1-5",
            kwargs={"seconds": 1},
            description="Teste",
        )
    )
    yield spec
    unregister_schedule(spec.name)


def test_the_heartbeat_ships_every_minute_and_enabled() -> None:
    report = schedules_setup()

    assert HEARTBEAT in report.created
    task = PeriodicTask.objects.get(name=HEARTBEAT)
    assert task.task == "orchestration.heartbeat"
    assert (task.interval.every, task.interval.period) == (60, IntervalSchedule.SECONDS)
    assert task.enabled is True
    assert task.expire_seconds == 50


def test_a_crontab_spec_is_written_in_sao_paulo_time(weekday_spec: ScheduleSpec) -> None:
    schedules_setup()

    task = PeriodicTask.objects.get(name=weekday_spec.name)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week) == (
        "30",
        "6",
        "*",
        "*",
        "1-5",
    )
    assert str(crontab.timezone) == "America/Sao_Paulo"
    assert json.loads(task.kwargs) == {"seconds": 1}


def test_running_it_twice_changes_nothing(weekday_spec: ScheduleSpec) -> None:
    schedules_setup()
    rows, intervals, crontabs = snapshot(), IntervalSchedule.objects.count(), CrontabSchedule.objects.count()

    report = schedules_setup()

    assert report.created == [] and report.updated == {}
    assert set(report.unchanged) >= {HEARTBEAT, weekday_spec.name}
    assert snapshot() == rows
    assert (IntervalSchedule.objects.count(), CrontabSchedule.objects.count()) == (intervals, crontabs)


def test_a_task_the_administrator_disabled_stays_disabled() -> None:
    schedules_setup()
    task = PeriodicTask.objects.get(name=HEARTBEAT)
    task.enabled = False
    task.save()

    schedules_setup()

    assert PeriodicTask.objects.get(name=HEARTBEAT).enabled is False


def test_a_schedule_the_administrator_changed_is_kept() -> None:
    schedules_setup()
    task = PeriodicTask.objects.get(name=HEARTBEAT)
    task.interval = interval_schedule_for(120)
    task.save()

    report = schedules_setup()

    assert HEARTBEAT in report.unchanged
    assert PeriodicTask.objects.get(name=HEARTBEAT).interval.every == 120


def test_product_owned_fields_are_brought_up_to_date_and_enabled_is_kept() -> None:
    schedules_setup()
    # As an older release (or a stray edit) left it.
    PeriodicTask.objects.filter(name=HEARTBEAT).update(
        task="orchestration.old_heartbeat", kwargs='{"legacy": true}', description="antiga", enabled=False
    )

    report = schedules_setup()

    assert sorted(report.updated[HEARTBEAT]) == ["description", "kwargs", "task"]
    task = PeriodicTask.objects.get(name=HEARTBEAT)
    assert (task.task, json.loads(task.kwargs), task.enabled) == ("orchestration.heartbeat", {}, False)
    assert task.description.startswith("Registra")


def test_kwargs_are_compared_as_data_not_text(weekday_spec: ScheduleSpec) -> None:
    schedules_setup()
    PeriodicTask.objects.filter(name=weekday_spec.name).update(kwargs='{\n  "seconds":   1\n}')

    report = schedules_setup()

    assert weekday_spec.name in report.unchanged


def test_rows_users_created_are_never_touched_or_deleted() -> None:
    mine = PeriodicTask.objects.create(
        name="meu agendamento", task="orchestration.smoke_test", interval=interval_schedule_for(30), enabled=False
    )
    before = PeriodicTask.objects.filter(pk=mine.pk).values().get()

    schedules_setup()
    schedules_setup()

    assert PeriodicTask.objects.filter(pk=mine.pk).values().get() == before


def test_schedule_hooks_run_on_every_setup() -> None:
    calls = []

    def hook() -> None:
        calls.append(1)

    register_schedule_hook(hook)
    register_schedule_hook(hook)  # registering twice runs it once
    try:
        report = schedules_setup()
        schedules_setup()
    finally:
        unregister_schedule_hook(hook)

    assert calls == [1, 1]
    assert any(name.endswith("hook") for name in report.hooks)


def test_the_command_says_what_it_did() -> None:
    first, second = StringIO(), StringIO()
    call_command("setup_schedules", stdout=first)
    call_command("setup_schedules", stdout=second)

    assert f"criado: {HEARTBEAT}" in first.getvalue()
    assert f"sem alteração: {HEARTBEAT}" in second.getvalue()
    assert "0 criado(s), 0 atualizado(s)" in second.getvalue()


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"every_seconds": 60, "crontab": "* * * * *"},
        {"every_seconds": 0},
        {"crontab": "0 6 * *"},
    ],
)
def test_a_spec_needs_exactly_one_valid_schedule(fields: dict) -> None:
    with pytest.raises(ValueError, match="schedule 'x'"):
        ScheduleSpec(name="x", task="t", **fields)
