"""The integrations' rows on the console's health grid, one module per provider (see registries/console.py)."""

from integrations.kommo import health_grid as kommo_health_grid  # noqa: F401
from integrations.movidesk import health_grid as movidesk_health_grid  # noqa: F401
