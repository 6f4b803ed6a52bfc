"""The integrations' models, one module per provider; Django finds them through this module."""

from integrations.kommo.models import KommoAccount, KommoIdMapping, KommoMasterSnapshot, KommoReplicaReport
from integrations.movidesk.models import (
    DEFAULT_SYNC_TIMES,
    BaseStatus,
    MovideskBackfill,
    MovideskSettings,
    MovideskTicket,
)

__all__ = [
    "DEFAULT_SYNC_TIMES",
    "BaseStatus",
    "KommoAccount",
    "KommoIdMapping",
    "KommoMasterSnapshot",
    "KommoReplicaReport",
    "MovideskBackfill",
    "MovideskSettings",
    "MovideskTicket",
]
