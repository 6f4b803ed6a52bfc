"""Writes the shipped periodic tasks into django-celery-beat, idempotently (through periodic_tasks_sync).

Who owns what on an existing row (matched by name):
- the product owns `task`, `kwargs`, `description` and `expire_seconds`: a new release updates them;
- the administrator owns `enabled` and the schedule (interval or crontab): they are set when the row is
  created and never touched again, so a disabled task stays disabled and an edited time stays edited.
  A release that must change a shipped cadence ships it under a new name (or a data migration).
Nothing is ever deleted: rows users created, and rows of specs a release dropped, stay as they are.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from orchestration.registries.schedules import ScheduleSpec, schedule_hooks, shipped_schedules
from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync

logger = logging.getLogger(__name__)


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _wanted(spec: ScheduleSpec) -> PeriodicTaskWanted:
    return PeriodicTaskWanted(
        task=spec.task,
        every_seconds=spec.every_seconds,
        crontab=spec.crontab,
        kwargs=spec.kwargs,
        description=spec.description,
        expire_seconds=spec.expire_seconds,
        enabled=spec.enabled,
    )


@transaction.atomic
def schedules_setup() -> SetupReport:
    """Creates or updates every shipped periodic task, then runs the apps' schedule hooks."""
    autodiscover_modules("schedules")
    # Shipped names share no prefix: the empty one, with nothing deleted, touches only the names given.
    result = periodic_tasks_sync(
        prefix="",
        wanted={spec.name: _wanted(spec) for spec in shipped_schedules()},
        keep_enabled=True,
        owns_schedule=False,
        delete_unwanted=False,
    )
    report = SetupReport(created=result.created, updated=result.updated, unchanged=result.unchanged)
    for hook in schedule_hooks():
        hook()
        report.hooks.append(f"{hook.__module__}.{hook.__qualname__}")
    logger.debug(
        "schedules_setup: %d created, %d updated, %d unchanged, %d hooks",
        len(report.created),
        len(report.updated),
        len(report.unchanged),
        len(report.hooks),
    )
    return report
