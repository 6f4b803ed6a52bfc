"""The integrations' execution kinds, one module per provider (see orchestration.registries.kinds)."""

from integrations.movidesk import kinds as movidesk_kinds  # noqa: F401
