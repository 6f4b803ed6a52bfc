"""Movidesk's execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from integrations.movidesk.backfill import BACKFILL_KIND
from integrations.movidesk.sync import SYNC_KIND
from orchestration.registries.kinds import ExecutionKind, register_kind

register_kind(
    ExecutionKind(SYNC_KIND, _("Sincronização de tickets do Movidesk"), app="integrations", concerns=_("Movidesk"))
)
register_kind(
    ExecutionKind(BACKFILL_KIND, _("Carga histórica do Movidesk"), app="integrations", concerns=_("Movidesk"))
)
