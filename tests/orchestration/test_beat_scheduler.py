"""Beat's scheduler notices every edit, including the first one after start-up on a fresh database."""

import json

import pytest
from django_celery_beat.models import PeriodicTask

from config.celery import app
from orchestration.beat_scheduler import DatabaseScheduler
from orchestration.services.periodic_tasks import interval_schedule_for

# Beat commits and closes connections between checks, as it does in its own process.
pytestmark = pytest.mark.django_db(transaction=True)


def make_task(name: str = "smoke") -> PeriodicTask:
    return PeriodicTask.objects.create(
        name=name, task="orchestration.smoke_test", interval=interval_schedule_for(60), kwargs=json.dumps({})
    )


def test_an_edit_made_while_beat_starts_is_noticed() -> None:
    make_task("existing")
    scheduler = DatabaseScheduler(app=app, lazy=True)
    assert set(scheduler.schedule) == {"existing"}  # beat's initial read of the rows

    make_task("added while beat was starting")  # before beat's first check for changes

    # What beat does at every tick: re-read the rows when the marker moved (upstream missed this one).
    assert "added while beat was starting" in scheduler.schedule


def test_an_edit_between_start_up_and_the_first_check_is_noticed() -> None:
    make_task("existing")
    scheduler = DatabaseScheduler(app=app)

    make_task("added right after start-up")

    assert scheduler.schedule_changed() is True


def test_no_edit_no_change_and_each_edit_is_seen_once() -> None:
    make_task()
    scheduler = DatabaseScheduler(app=app)
    assert scheduler.schedule_changed() is False

    task = PeriodicTask.objects.get(name="smoke")
    task.enabled = False
    task.save()

    assert scheduler.schedule_changed() is True
    assert scheduler.schedule_changed() is False
