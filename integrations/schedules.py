"""Integrations' schedules, one module per provider (found by `setup_schedules` through this module)."""

from integrations.movidesk import schedules as movidesk_schedules  # noqa: F401
