"""The integrations' demo history, one module per provider (see orchestration.registries.demo)."""

from integrations.kommo import demo as kommo_demo  # noqa: F401
from integrations.movidesk import demo_history as movidesk_demo_history  # noqa: F401
