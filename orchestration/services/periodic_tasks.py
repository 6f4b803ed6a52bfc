"""The one writer of django-celery-beat PeriodicTask rows: every set of schedules the product keeps (the shipped
specs, an integration's HH:MM list, a demo schedule) is made to match through `periodic_tasks_sync`.

Beat reloads its schedule when PeriodicTasks' marker moves. A `save()` moves it (django-celery-beat's model
does it), a queryset `update()`/`delete()` does not reliably; so after any write here the marker is moved once
more, explicitly, and when nothing was written it is left alone (beat does not re-read for nothing).
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

logger = logging.getLogger(__name__)

CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
# The schedule kinds a PeriodicTask may point at; exactly one is set on a valid row.
SCHEDULE_FIELDS = ("interval", "crontab", "solar", "clocked")


@dataclass(frozen=True)
class PeriodicTaskWanted:
    """What the product wants one PeriodicTask row to be. Exactly one of `every_seconds` or `crontab`
    ("m h dom mon dow", read in TIME_ZONE)."""

    task: str
    every_seconds: int | None = None
    crontab: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    expire_seconds: int | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if (self.every_seconds is None) == (self.crontab is None):
            raise ValueError(f"periodic task {self.task!r}: give exactly one of every_seconds or crontab")
        if self.crontab is not None and len(self.crontab.split()) != len(CRONTAB_FIELDS):
            raise ValueError(f"periodic task {self.task!r}: crontab needs five fields, 'm h dom mon dow'")

    def crontab_fields(self) -> dict[str, str]:
        return dict(zip(CRONTAB_FIELDS, (self.crontab or "").split(), strict=True))


@dataclass
class PeriodicTasksSyncResult:
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # name → the fields rewritten
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


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


def _schedule_for(wanted: PeriodicTaskWanted) -> dict[str, Any]:
    """The schedule columns of a row with `wanted`'s timing (the other kinds cleared)."""
    columns: dict[str, Any] = dict.fromkeys(SCHEDULE_FIELDS)
    if wanted.every_seconds is not None:
        columns["interval"] = interval_schedule_for(wanted.every_seconds)
    else:
        columns["crontab"] = crontab_schedule_for(wanted.crontab_fields())
    return columns


def _schedule_matches(task: PeriodicTask, wanted: PeriodicTaskWanted) -> bool:
    # Compared as values, without looking up (or creating) a schedule row, so a match writes nothing.
    if task.solar_id is not None or task.clocked_id is not None:
        return False
    if wanted.every_seconds is not None:
        interval = task.interval
        return (
            task.crontab_id is None
            and interval is not None
            and (interval.every, interval.period) == (wanted.every_seconds, IntervalSchedule.SECONDS)
        )
    crontab = task.crontab
    return (
        task.interval_id is None
        and crontab is not None
        and {name: getattr(crontab, name) for name in CRONTAB_FIELDS} == wanted.crontab_fields()
        and str(crontab.timezone) == str(schedule_timezone())
    )


def _product_fields(wanted: PeriodicTaskWanted) -> dict[str, Any]:
    return {
        "task": wanted.task,
        "kwargs": wanted.kwargs,
        "description": wanted.description,
        "expire_seconds": wanted.expire_seconds,
    }


def _current_value(task: PeriodicTask, name: str) -> Any:
    if name == "kwargs":
        # Compared as data: the admin may have re-indented the JSON without changing it.
        try:
            return json.loads(task.kwargs or "{}")
        except ValueError:
            return task.kwargs
    return getattr(task, name)


def _stored_value(name: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if name == "kwargs" else value


def _create(name: str, wanted: PeriodicTaskWanted) -> PeriodicTask:
    fields = {key: _stored_value(key, value) for key, value in _product_fields(wanted).items()}
    return PeriodicTask.objects.create(name=name, enabled=wanted.enabled, **fields, **_schedule_for(wanted))


def _update(task: PeriodicTask, wanted: PeriodicTaskWanted, *, keep_enabled: bool, owns_schedule: bool) -> list[str]:
    """Rewrites the fields the product owns on this row where they differ; returns their names."""
    values = _product_fields(wanted)
    stale = [name for name, value in values.items() if _current_value(task, name) != value]
    if "expire_seconds" in stale and task.expires is not None:
        # The administrator gave an absolute expiry; django-celery-beat refuses both at once.
        stale.remove("expire_seconds")
    if not keep_enabled and task.enabled != wanted.enabled:
        values["enabled"] = wanted.enabled
        stale.append("enabled")
    if owns_schedule and not _schedule_matches(task, wanted):
        values.update(_schedule_for(wanted))
        stale.extend(SCHEDULE_FIELDS)
    if not stale:
        return []
    for name in stale:
        setattr(task, name, _stored_value(name, values[name]))
    task.save(update_fields=stale)
    reported = [name for name in stale if name not in SCHEDULE_FIELDS]
    if len(reported) < len(stale):
        reported.append("schedule")
    return reported


@transaction.atomic
def periodic_tasks_sync(
    *,
    prefix: str,
    wanted: Mapping[str, PeriodicTaskWanted],
    keep_enabled: bool = True,
    owns_schedule: bool = False,
    delete_unwanted: bool = False,
) -> PeriodicTasksSyncResult:
    """Makes the PeriodicTask rows named in `wanted` (name → row) match it, in one transaction.

    Ownership of a row that already exists (matched by name):
    - the product always owns `task`, `kwargs` (compared as JSON data), `description` and `expire_seconds`
      (except while the row has an absolute `expires`, which django-celery-beat forbids alongside it);
    - `enabled` is the administrator's when `keep_enabled` (set only when the row is created), else the
      product's (`wanted[name].enabled` is written);
    - the schedule (interval or crontab) is the administrator's unless `owns_schedule` (then it is rewritten
      to the wanted timing; the wanted timing is always used for a new row).
    A new row gets everything from `wanted`.

    `prefix` is the namespace the caller owns: every wanted name must start with it, and only rows whose
    name starts with it are ever deleted — with `delete_unwanted`, those not in `wanted` (which needs a
    non-empty prefix). Rows outside the wanted names and the prefix are never read for writing, so tasks
    users created are never touched. Rows that already match are not written, and then beat is not told;
    after any write `PeriodicTasks.update_changed()` is called once, since bulk deletes send no signal beat
    listens to."""
    if delete_unwanted and not prefix:
        raise ValueError("periodic_tasks_sync: delete_unwanted needs a prefix, or it would delete every task")
    outside = [name for name in wanted if not name.startswith(prefix)]
    if outside:
        raise ValueError(f"periodic_tasks_sync: {outside!r} outside the prefix {prefix!r}")
    result = PeriodicTasksSyncResult()
    existing = {
        task.name: task
        for task in PeriodicTask.objects.select_related("interval", "crontab").filter(name__in=list(wanted))
    }
    for name, spec in wanted.items():
        task = existing.get(name)
        if task is None:
            _create(name, spec)
            result.created.append(name)
            continue
        changed = _update(task, spec, keep_enabled=keep_enabled, owns_schedule=owns_schedule)
        if changed:
            result.updated[name] = changed
        else:
            result.unchanged.append(name)
    if delete_unwanted:
        unwanted = PeriodicTask.objects.filter(name__startswith=prefix).exclude(name__in=list(wanted))
        result.deleted = sorted(unwanted.values_list("name", flat=True))
        if result.deleted:
            PeriodicTask.objects.filter(name__in=result.deleted).delete()
    if result.changed:
        PeriodicTasks.update_changed()
    logger.debug(
        "periodic_tasks_sync %r: %d created, %d updated, %d unchanged, %d deleted",
        prefix,
        len(result.created),
        len(result.updated),
        len(result.unchanged),
        len(result.deleted),
    )
    return result
