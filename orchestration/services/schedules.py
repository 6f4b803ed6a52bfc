"""Writes the shipped periodic tasks into django-celery-beat, idempotently.

Who owns what on an existing row (matched by name):
- the product owns `task`, `kwargs`, `description` and `expire_seconds`: a new release updates them;
- the administrator owns `enabled` and the schedule (interval or crontab): they are set when the row is
  created and never touched again, so a disabled task stays disabled and an edited time stays edited.
  A release that must change a shipped cadence ships it under a new name (or a data migration).
Nothing is ever deleted: rows users created, and rows of specs a release dropped, stay as they are.
"""

import json
import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

from orchestration.schedules import ScheduleSpec, schedule_hooks, shipped_schedules

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


def schedule_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def interval_schedule_for(every_seconds: int) -> IntervalSchedule:
    # IntervalSchedule has no unique constraint and the admin may have made duplicates: reuse the oldest.
    found = IntervalSchedule.objects.filter(every=every_seconds, period=IntervalSchedule.SECONDS).order_by("pk").first()
    return found or IntervalSchedule.objects.create(every=every_seconds, period=IntervalSchedule.SECONDS)


def crontab_schedule_for(fields: dict[str, str]) -> CrontabSchedule:
    wanted = {**fields, "timezone": schedule_timezone()}
    found = CrontabSchedule.objects.filter(**wanted).order_by("pk").first()
    return found or CrontabSchedule.objects.create(**wanted)


def _product_fields(spec: ScheduleSpec) -> dict[str, Any]:
    return {
        "task": spec.task,
        "kwargs": spec.kwargs,
        "description": spec.description,
        "expire_seconds": spec.expire_seconds,
    }


def _current_value(task: PeriodicTask, name: str) -> Any:
    if name == "kwargs":
        # Compared as data: the admin may have re-indented the JSON without changing it.
        try:
            return json.loads(task.kwargs or "{}")
        except ValueError:
            return task.kwargs
    return getattr(task, name)


def _create(spec: ScheduleSpec) -> PeriodicTask:
    if spec.every_seconds is not None:
        schedule: dict[str, Any] = {"interval": interval_schedule_for(spec.every_seconds)}
    else:
        schedule = {"crontab": crontab_schedule_for(spec.crontab_fields())}
    wanted = _product_fields(spec)
    return PeriodicTask.objects.create(
        name=spec.name,
        enabled=spec.enabled,
        **{**wanted, "kwargs": json.dumps(wanted["kwargs"], ensure_ascii=False)},
        **schedule,
    )


def _update(task: PeriodicTask, spec: ScheduleSpec) -> list[str]:
    """Brings the product-owned fields up to date; returns the names of those that changed."""
    stale = [name for name, value in _product_fields(spec).items() if _current_value(task, name) != value]
    if "expire_seconds" in stale and task.expires is not None:
        # The administrator gave an absolute expiry; django-celery-beat refuses both at once.
        stale.remove("expire_seconds")
    if not stale:
        return []
    for name in stale:
        value = _product_fields(spec)[name]
        setattr(task, name, json.dumps(value, ensure_ascii=False) if name == "kwargs" else value)
    task.save(update_fields=stale)
    return stale


@transaction.atomic
def schedules_setup() -> SetupReport:
    """Creates or updates every shipped periodic task, then runs the apps' schedule hooks."""
    autodiscover_modules("schedules")
    report = SetupReport()
    for spec in shipped_schedules():
        task = PeriodicTask.objects.filter(name=spec.name).first()
        if task is None:
            _create(spec)
            report.created.append(spec.name)
            continue
        changed = _update(task, spec)
        if changed:
            report.updated[spec.name] = changed
        else:
            report.unchanged.append(spec.name)
    if report.changed:
        # Each save above already signals beat; this also covers rows a future bulk write would touch.
        PeriodicTasks.update_changed()
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
