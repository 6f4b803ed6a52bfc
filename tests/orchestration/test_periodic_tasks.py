"""periodic_tasks_sync, the one writer of PeriodicTask sets: it writes only what differs, deletes only inside
its prefix, never touches other rows, and tells beat after a bulk delete."""

import json

import pytest
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from orchestration.services.periodic_tasks import (
    PeriodicTaskWanted,
    interval_schedule_for,
    periodic_tasks_sync,
)

pytestmark = pytest.mark.django_db

PREFIX = "Teste: "


def wanted(**overrides) -> PeriodicTaskWanted:  # type: ignore[no-untyped-def]
    fields = {
        "task": "orchestration.smoke_test",
        "crontab": "0 8 * * *",
        "kwargs": {"seconds": 1},
        "description": "um teste",
        "expire_seconds": 60,
    }
    return PeriodicTaskWanted(**{**fields, **overrides})


def rows() -> list[dict]:
    return list(PeriodicTask.objects.order_by("pk").values())


def test_new_rows_get_everything_from_the_wanted_set() -> None:
    result = periodic_tasks_sync(
        prefix=PREFIX, wanted={f"{PREFIX}a": wanted(), f"{PREFIX}b": wanted(crontab=None, every_seconds=30)}
    )

    assert sorted(result.created) == [f"{PREFIX}a", f"{PREFIX}b"]
    a, b = PeriodicTask.objects.get(name=f"{PREFIX}a"), PeriodicTask.objects.get(name=f"{PREFIX}b")
    assert (a.crontab.hour, a.crontab.minute, str(a.crontab.timezone)) == ("8", "0", "America/Sao_Paulo")
    assert (a.task, json.loads(a.kwargs), a.description, a.expire_seconds) == (
        "orchestration.smoke_test",
        {"seconds": 1},
        "um teste",
        60,
    )
    assert b.interval.every == 30 and b.crontab is None


def test_rows_that_already_match_are_not_rewritten_and_beat_is_not_told() -> None:
    spec = {f"{PREFIX}a": wanted(), f"{PREFIX}b": wanted(crontab=None, every_seconds=30)}
    periodic_tasks_sync(prefix=PREFIX, wanted=spec, owns_schedule=True, keep_enabled=False, delete_unwanted=True)
    before, marker = rows(), PeriodicTasks.last_change()

    result = periodic_tasks_sync(
        prefix=PREFIX, wanted=spec, owns_schedule=True, keep_enabled=False, delete_unwanted=True
    )

    assert not result.changed and sorted(result.unchanged) == sorted(spec)
    assert rows() == before  # date_changed included: no save happened
    assert PeriodicTasks.last_change() == marker


def test_the_administrators_enabled_and_schedule_are_kept_unless_the_caller_owns_them() -> None:
    name = f"{PREFIX}a"
    periodic_tasks_sync(prefix=PREFIX, wanted={name: wanted()})
    PeriodicTask.objects.filter(name=name).update(enabled=False, crontab=None, interval=interval_schedule_for(900))

    kept = periodic_tasks_sync(prefix=PREFIX, wanted={name: wanted()})
    task = PeriodicTask.objects.get(name=name)
    assert kept.unchanged == [name] and task.enabled is False and task.interval.every == 900

    owned = periodic_tasks_sync(prefix=PREFIX, wanted={name: wanted()}, keep_enabled=False, owns_schedule=True)
    task = PeriodicTask.objects.get(name=name)
    assert sorted(owned.updated[name]) == ["enabled", "schedule"]
    assert task.enabled is True and task.interval is None and task.crontab.hour == "8"


def test_removed_entries_are_deleted_only_within_the_prefix_and_beat_is_told() -> None:
    periodic_tasks_sync(prefix=PREFIX, wanted={f"{PREFIX}a": wanted(), f"{PREFIX}b": wanted()})
    neighbour = PeriodicTask.objects.create(
        name="Outro: a", task="orchestration.smoke_test", interval=interval_schedule_for(30)
    )
    marker = PeriodicTasks.last_change()

    result = periodic_tasks_sync(prefix=PREFIX, wanted={f"{PREFIX}a": wanted()}, delete_unwanted=True)

    assert result.deleted == [f"{PREFIX}b"]
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == {f"{PREFIX}a", neighbour.name}
    assert PeriodicTasks.last_change() > marker


def test_a_bulk_delete_alone_moves_beats_change_marker() -> None:
    periodic_tasks_sync(prefix=PREFIX, wanted={f"{PREFIX}a": wanted()})
    PeriodicTasks.objects.all().delete()  # as if beat had never been told anything

    periodic_tasks_sync(prefix=PREFIX, wanted={}, delete_unwanted=True)

    assert not PeriodicTask.objects.exists()
    assert PeriodicTasks.last_change() is not None


def test_a_task_a_user_created_outside_the_prefix_is_never_touched() -> None:
    mine = PeriodicTask.objects.create(
        name="meu agendamento", task="orchestration.smoke_test", interval=interval_schedule_for(30), enabled=False
    )
    before = PeriodicTask.objects.filter(pk=mine.pk).values().get()

    periodic_tasks_sync(prefix=PREFIX, wanted={f"{PREFIX}a": wanted()}, delete_unwanted=True)
    periodic_tasks_sync(prefix=PREFIX, wanted={}, delete_unwanted=True)

    assert PeriodicTask.objects.filter(pk=mine.pk).values().get() == before


def test_names_outside_the_prefix_and_deleting_without_a_prefix_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the prefix"):
        periodic_tasks_sync(prefix=PREFIX, wanted={"Outro: a": wanted()})
    with pytest.raises(ValueError, match="needs a prefix"):
        periodic_tasks_sync(prefix="", wanted={}, delete_unwanted=True)
    assert not PeriodicTask.objects.exists()
