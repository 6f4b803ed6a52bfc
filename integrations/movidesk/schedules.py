"""Movidesk's schedules. They are data (an HH:MM list edited in the admin, and the demo schedule), so instead
of fixed specs hooks write them; `manage.py setup_schedules` runs them, and every save of the list runs the
first one too."""

from integrations.movidesk.configuration import movidesk_schedules_write
from integrations.movidesk.demo import movidesk_demo_schedule_write
from orchestration.registries.schedules import register_schedule_hook


def movidesk_schedules() -> None:
    movidesk_schedules_write(keep_enabled=True)


register_schedule_hook(movidesk_schedules)
register_schedule_hook(movidesk_demo_schedule_write)
