"""The integrations' dashboard tiles, one module per provider (see orchestration.registries.console)."""

from integrations.kommo import dashboard_tiles as kommo_tiles  # noqa: F401
