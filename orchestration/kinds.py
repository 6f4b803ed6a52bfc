"""orchestration's own execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from orchestration.registries.kinds import ExecutionKind, register_kind
from orchestration.services.heartbeat import HEARTBEAT_KIND
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

# The invoice pipeline registers its own (a sub-package the shared modules never import).
from orchestration.invoices import kinds as invoices_kinds  # noqa: E402,F401  isort: skip
