"""Integrations' schedules. Movidesk's are data (an HH:MM list edited in the admin), so instead of fixed
specs a hook writes them; `manage.py setup_schedules` runs it, and so does every save of the list."""

from integrations.services.movidesk_demo import movidesk_demo_schedule_write
from integrations.services.movidesk_settings import movidesk_schedules_write
from orchestration.schedules import register_schedule_hook


def movidesk_schedules() -> None:
    movidesk_schedules_write(keep_enabled=True)


register_schedule_hook(movidesk_schedules)
register_schedule_hook(movidesk_demo_schedule_write)
