"""Celery tasks of integrations, one module per provider; Celery autodiscovers this module."""

from integrations.movidesk.tasks import movidesk_sync, movidesk_sync_demo, movidesk_sync_scheduled

__all__ = ["movidesk_sync", "movidesk_sync_demo", "movidesk_sync_scheduled"]
