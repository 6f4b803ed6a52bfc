"""Celery tasks of integrations, one module per provider; Celery autodiscovers this module."""

from integrations.kommo.tasks import kommo_replica_sync, kommo_salesbot_continue, kommo_sync, kommo_sync_scheduled
from integrations.movidesk.tasks import movidesk_sync, movidesk_sync_demo, movidesk_sync_scheduled

__all__ = [
    "kommo_replica_sync",
    "kommo_salesbot_continue",
    "kommo_sync",
    "kommo_sync_scheduled",
    "movidesk_sync",
    "movidesk_sync_demo",
    "movidesk_sync_scheduled",
]
