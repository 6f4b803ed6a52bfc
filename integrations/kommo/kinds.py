"""Kommo's execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from integrations.kommo.sync import REPLICA_KIND, REPLICA_TASK, SYNC_KIND, SYNC_TASK
from orchestration.registries.kinds import ExecutionKind, register_kind

register_kind(
    ExecutionKind(
        SYNC_KIND,
        _("Sincronização Kommo mestre → réplicas"),
        app="integrations",
        concerns=_("as contas Kommo"),
        task=SYNC_TASK,
    )
)
register_kind(
    ExecutionKind(
        REPLICA_KIND,
        _("Sincronização de uma réplica Kommo"),
        app="integrations",
        concerns=_("uma conta Kommo"),
        task=REPLICA_TASK,
    )
)
