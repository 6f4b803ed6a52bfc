"""Admin of the integrations app (Django's autodiscover imports this package)."""

from integrations.admin import movidesk  # noqa: F401
