"""orchestration's own execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from orchestration.registries.kinds import ExecutionKind, register_kind
from orchestration.services.backups import DATABASE_BACKUP_KIND, DATABASE_RESTORE_KIND
from orchestration.services.heartbeat import HEARTBEAT_KIND
from orchestration.services.ledger_retention import LEDGER_PURGE_KIND
from orchestration.services.smoke import SMOKE_TEST_FAN_OUT_KIND, SMOKE_TEST_ITEM_KIND, SMOKE_TEST_KIND

register_kind(
    ExecutionKind(
        HEARTBEAT_KIND,
        _("Batimento (beat e worker ativos)"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
    )
)
register_kind(
    ExecutionKind(
        SMOKE_TEST_KIND,
        _("Teste de fumaça do worker"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
        task="orchestration.smoke_test",
    )
)
register_kind(
    ExecutionKind(
        SMOKE_TEST_FAN_OUT_KIND,
        _("Teste de fumaça distribuído (um item por execução filha)"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
        task="orchestration.smoke_test_fan_out",
    )
)
register_kind(
    ExecutionKind(
        SMOKE_TEST_ITEM_KIND,
        _("Item do teste de fumaça distribuído"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
        task="orchestration.smoke_test_item",
    )
)
register_kind(
    ExecutionKind(
        LEDGER_PURGE_KIND,
        _("Limpeza do registro de execuções antigas"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
    )
)
register_kind(
    ExecutionKind(
        DATABASE_BACKUP_KIND,
        _("Backup do banco de dados"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
    )
)
register_kind(
    ExecutionKind(
        DATABASE_RESTORE_KIND,
        _("Restauração de um backup do banco de dados"),
        app="orchestration",
        concerns=_("o próprio Orquestra"),
    )
)

# The invoice pipeline's kinds live in its own sub-package.
from orchestration.invoices import kinds as invoices_kinds  # noqa: E402, F401  isort: skip
