"""The periodic tasks the product ships. Each app registers its own in `<app>/schedules.py`;
`manage.py setup_schedules` turns them into django-celery-beat rows."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScheduleSpec:
    """One shipped periodic task. Exactly one of `every_seconds` or `crontab` ("m h dom mon dow")."""

    name: str
    task: str
    every_seconds: int | None = None
    crontab: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    enabled: bool = True


_SPECS: dict[str, ScheduleSpec] = {}
# Apps whose schedules are data (e.g. Movidesk's HH:MM list) register a function that writes them.
_SETUP_HOOKS: list[Callable[[], None]] = []


def register_schedule(spec: ScheduleSpec) -> ScheduleSpec:
    _SPECS[spec.name] = spec
    return spec


def register_schedule_hook(hook: Callable[[], None]) -> Callable[[], None]:
    if hook not in _SETUP_HOOKS:
        _SETUP_HOOKS.append(hook)
    return hook


def shipped_schedules() -> list[ScheduleSpec]:
    return list(_SPECS.values())


def schedule_hooks() -> list[Callable[[], None]]:
    return list(_SETUP_HOOKS)
