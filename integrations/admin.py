"""Admin of the integrations app, one module per provider (Django's autodiscover imports this module)."""

from integrations.kommo import admin as kommo_admin  # noqa: F401
from integrations.movidesk import admin as movidesk_admin  # noqa: F401
