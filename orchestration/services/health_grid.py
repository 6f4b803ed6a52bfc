"""Running one cell of the health grid again: retry exactly its failed item, or start a new run of that item.

A cell whose latest execution is a fan-out child that FAILED or TIMED_OUT, of a kind with a registered task,
is that child queued again (`execution_retry_failed_child`): the same item, the next attempt, its siblings
untouched (unless its parent was cancelled: then the child is left as it is). Any other cell asks its source
for a new run of that one item (`HealthSource.rerun`, the app's own services). A cell already queued or
running starts nothing.
"""

from datetime import date

from django.utils.translation import gettext

from orchestration.exceptions import OrchestraError, ValidationFailed
from orchestration.models import Execution, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, health_source_get
from orchestration.registries.kinds import kind_get
from orchestration.selectors.health_grid import CellState, health_cell, row_kinds
from orchestration.services.executions import ACTIVE_STATUSES, RETRYABLE_STATUSES
from orchestration.services.fanout import REOPENABLE_STATUSES, execution_retry_failed_child
from orchestration.services.transitions import IllegalTransition


class CellNotFound(OrchestraError):
    """No such source, row (for this viewer) or kind: the console answers 404."""


class CellBusy(IllegalTransition):
    """The cell's latest run is still queued or running (409)."""


def health_cell_find(
    *, user: User, source_key: str, row_key: str, kind: str, month: date
) -> tuple[HealthSource, HealthRow]:
    """The cell the viewer may see; CellNotFound for an unknown source or row, ValidationFailed for a kind
    that is not one of the row's columns."""
    source = health_source_get(source_key)
    if source is None:
        raise CellNotFound(gettext("Fonte desconhecida: “%(source)s”.") % {"source": source_key})
    row = next((row for row in source.rows(user, month) if row.key == row_key), None)
    if row is None:
        raise CellNotFound(
            gettext("Linha “%(row)s” inexistente em %(source)s (ou fora do seu acesso).")
            % {"row": row_key, "source": source.label}
        )
    if kind not in row_kinds(source, row):
        raise ValidationFailed(
            gettext("O tipo “%(kind)s” não é uma coluna da linha %(row)s.") % {"kind": kind, "row": row.label}
        )
    return source, row


def health_cell_rerun(*, source: HealthSource, row: HealthRow, kind: str, requester: Requester) -> Execution:
    """Runs the cell again (see the module's docstring); the caller checked `source.rerun_permission`."""
    cell = health_cell(source, row, kind)
    if cell.state == CellState.RUNNING:
        raise CellBusy(
            gettext("Já há uma execução deste item na fila ou em andamento (#%(id)s); aguarde o fim dela.")
            % {"id": cell.latest_id}
        )
    registered = kind_get(kind)
    if (
        cell.latest_id is not None
        and cell.latest_parent_id is not None
        and cell.latest_status in RETRYABLE_STATUSES
        and registered is not None
        and registered.task
    ):
        child = Execution.objects.select_related("parent").get(pk=cell.latest_id)
        # A cancelled parent keeps its items as they are (someone's decision): the item gets a new run instead.
        if child.parent is not None and child.parent.status in (*REOPENABLE_STATUSES, *ACTIVE_STATUSES):
            return execution_retry_failed_child(child=child, user=requester.user)
    if source.rerun is None:
        raise IllegalTransition(gettext("Esta célula só repete um item com falha, e não há nenhum."))
    return source.rerun(row, kind, requester)
