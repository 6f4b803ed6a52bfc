"""The integrations' execution kinds, one module per provider (see orchestration.registries.kinds)."""

from integrations.kommo import kinds as kommo_kinds  # noqa: F401
from integrations.movidesk import kinds as movidesk_kinds  # noqa: F401
