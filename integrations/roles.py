"""What each role may do with the integrations' models, one module per provider (see
orchestration.registries.roles)."""

from integrations.kommo import roles as kommo_roles  # noqa: F401
from integrations.movidesk import roles as movidesk_roles  # noqa: F401
