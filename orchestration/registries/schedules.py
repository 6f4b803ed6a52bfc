"""The registry of the periodic tasks the product ships.

Each app registers its specs (and, for schedules that are data, a hook) in `<app>/schedules.py`;
`manage.py setup_schedules` imports every installed app's `schedules` module (Django's
`autodiscover_modules`) and turns the specs into django-celery-beat rows
(orchestration.services.schedules, through orchestration.services.periodic_tasks).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


@dataclass(frozen=True)
class ScheduleSpec:
    """One shipped periodic task. Exactly one of `every_seconds` or `crontab` ("m h dom mon dow").

    `expire_seconds` drops runs the worker could not start in time (e.g. while it was down), so a
    backlog of stale runs is not executed at once when it comes back."""

    name: str
    task: str
    every_seconds: int | None = None
    crontab: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    enabled: bool = True
    expire_seconds: int | None = None

    def __post_init__(self) -> None:
        if (self.every_seconds is None) == (self.crontab is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every_seconds or crontab")
        if self.every_seconds is not None and self.every_seconds < 1:
            raise ValueError(f"schedule {self.name!r}: every_seconds must be at least 1")
        if self.crontab is not None and len(self.crontab.split()) != len(CRONTAB_FIELDS):
            raise ValueError(f"schedule {self.name!r}: crontab needs five fields, 'm h dom mon dow'")

    def crontab_fields(self) -> dict[str, str]:
        return dict(zip(CRONTAB_FIELDS, (self.crontab or "").split(), strict=True))


_SPECS: dict[str, ScheduleSpec] = {}
# Apps whose schedules are data (e.g. Movidesk's HH:MM list) register a function that writes them.
_SETUP_HOOKS: list[Callable[[], None]] = []


def register_schedule(spec: ScheduleSpec) -> ScheduleSpec:
    _SPECS[spec.name] = spec
    return spec


def register_schedule_hook(hook: Callable[[], None]) -> Callable[[], None]:
    """`hook()` runs at every `setup_schedules`, after the specs. It must be idempotent, keep `enabled` as the
    administrator left it, and call `PeriodicTasks.update_changed()` if it writes with bulk queries."""
    if hook not in _SETUP_HOOKS:
        _SETUP_HOOKS.append(hook)
    return hook


def unregister_schedule(name: str) -> None:
    _SPECS.pop(name, None)


def unregister_schedule_hook(hook: Callable[[], None]) -> None:
    if hook in _SETUP_HOOKS:
        _SETUP_HOOKS.remove(hook)


def shipped_schedules() -> list[ScheduleSpec]:
    return list(_SPECS.values())


def schedule_hooks() -> list[Callable[[], None]]:
    return list(_SETUP_HOOKS)
