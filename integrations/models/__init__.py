from integrations.models.movidesk import (
    DEFAULT_SYNC_TIMES,
    BaseStatus,
    MovideskBackfill,
    MovideskSettings,
    Ticket,
)

__all__ = ["DEFAULT_SYNC_TIMES", "BaseStatus", "MovideskBackfill", "MovideskSettings", "Ticket"]
