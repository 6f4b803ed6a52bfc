"""The integrations' demo history, one module per provider (see orchestration.registries.demo)."""

from integrations.movidesk import demo_history as movidesk_demo_history  # noqa: F401
