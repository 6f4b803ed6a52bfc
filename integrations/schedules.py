"""Integrations' schedules, one module per provider (found by `setup_schedules` through this module)."""

from integrations.kommo import schedules as kommo_schedules  # noqa: F401
from integrations.movidesk import schedules as movidesk_schedules  # noqa: F401
