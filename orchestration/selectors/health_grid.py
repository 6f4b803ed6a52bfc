"""The health grid's numbers (the console's /console/health/): for each cell — one row (an account, a session,
an integration, a monthly process) × one of its kinds — the latest execution, the last success, the failure
streak since then and the state those make.

A page costs a few queries, whatever its size: the rows come from their sources (registries/console.py) and
the cells from one query per kind of row (with or without a subject), each cell a LATERAL look-up of its
newest executions through the ledger's indexes. Nothing loads a cell's history: a WhatsApp session checked
every minute has thousands of executions, and the grid reads three rows of them.

Only SUCCEEDED counts as a success: PARTIAL means some of the item's work went wrong (a WhatsApp check whose
provider did not answer ends PARTIAL), so it shows as a warning and does not reset the lag.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orchestration.models import Execution, ExecutionStatus, User
from orchestration.registries.console import HealthRow, HealthSource, health_sources_all
from orchestration.registries.kinds import kind_label

PAGE_SIZE = 50
FAILED_STATUSES = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
ACTIVE = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)


class CellState(models.TextChoices):
    RUNNING = "running", _("Em andamento")
    FAILING = "failing", _("Falhando")
    WARN = "warn", _("Atenção")
    OK = "ok", _("OK")
    NEVER = "never", _("Nunca executada")


# The console's badge colour of each state (console.css).
STATE_BADGES = {
    CellState.RUNNING: "run",
    CellState.FAILING: "bad",
    CellState.WARN: "warn",
    CellState.OK: "ok",
    CellState.NEVER: "",
}


@dataclass(frozen=True)
class HealthCell:
    source: HealthSource
    row: HealthRow
    kind: str
    state: str
    latest_id: int | None = None
    latest_status: str = ""
    latest_parent_id: int | None = None
    last_success_at: datetime | None = None
    streak: int = 0
    lag: timedelta | None = None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def state_label(self) -> str:
        return str(CellState(self.state).label)

    @property
    def badge(self) -> str:
        return STATE_BADGES[CellState(self.state)]

    @property
    def latest_status_label(self) -> str:
        return str(ExecutionStatus(self.latest_status).label) if self.latest_status else ""

    @property
    def lag_text(self) -> str:
        return lag_text(self.lag) if self.lag is not None else ""

    @property
    def dom_id(self) -> str:
        return cell_dom_id(self.row.key, self.kind)


@dataclass(frozen=True)
class HealthLine:
    source: HealthSource
    row: HealthRow
    cells: list[HealthCell] = field(default_factory=list)


@dataclass(frozen=True)
class HealthFilters:
    month: date
    source: str = ""
    state: str = ""
    q: str = ""


@dataclass(frozen=True)
class HealthGrid:
    page: Page
    # The page's lines grouped by source, in the sources' order: each group is a table with its own columns.
    groups: list[tuple[HealthSource, list[str], list[HealthLine]]]
    total_rows: int

    @property
    def running(self) -> bool:
        return any(
            cell.state == CellState.RUNNING for _s, _k, lines in self.groups for line in lines for cell in line.cells
        )


def cell_dom_id(row_key: str, kind: str) -> str:
    safe = "".join(char if char.isalnum() else "-" for char in f"{row_key}-{kind}")
    return f"cell-{safe}"


def lag_text(lag: timedelta) -> str:
    """How long ago, short and in pt-BR: "agora", "há 5 min", "há 3 h", "há 2 d"."""
    seconds = max(0, int(lag.total_seconds()))
    if seconds < 60:
        return gettext("agora")
    if seconds < 3600:
        return gettext("há %(n)d min") % {"n": seconds // 60}
    if seconds < 86400:
        return gettext("há %(n)d h") % {"n": seconds // 3600}
    return gettext("há %(n)d d") % {"n": seconds // 86400}


def row_kinds(source: HealthSource, row: HealthRow) -> tuple[str, ...]:
    return row.kinds or source.kinds


def _state(latest_status: str, streak: int, has_success: bool) -> str:
    if not latest_status:
        return CellState.NEVER
    if latest_status in ACTIVE:
        return CellState.RUNNING
    if streak:
        return CellState.FAILING
    if latest_status == ExecutionStatus.SUCCEEDED or (
        has_success and latest_status in (ExecutionStatus.CANCELLED, ExecutionStatus.SKIPPED)
    ):
        return CellState.OK
    return CellState.WARN


# One cell per (subject type, subject id, kind), or per kind for the rows about no one thing; `{match}` is how
# an execution belongs to the cell `c`. Ordered by created_at, the ledger's indexes: (subject, -created_at)
# and (kind, -created_at).
_CELLS_SQL = """
SELECT c.key, latest.id, latest.status, latest.parent_id, success.finished_at, success.created_at, streak.n
FROM unnest(%(keys)s::int[], %(types)s::int[], %(ids)s::text[], %(kinds)s::text[]) AS c(key, type_id, obj_id, kind)
LEFT JOIN LATERAL (
    SELECT e.id, e.status, e.parent_id FROM {table} e WHERE {match}
    ORDER BY e.created_at DESC, e.id DESC LIMIT 1
) latest ON TRUE
LEFT JOIN LATERAL (
    SELECT e.finished_at, e.created_at FROM {table} e WHERE {match} AND e.status = %(succeeded)s
    ORDER BY e.created_at DESC, e.id DESC LIMIT 1
) success ON TRUE
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM {table} e
    WHERE {match} AND e.status = ANY(%(failed)s::text[])
      AND (success.created_at IS NULL OR e.created_at > success.created_at)
) streak ON TRUE
"""
_WITH_SUBJECT = "e.subject_type_id = c.type_id AND e.subject_id = c.obj_id AND e.kind = c.kind"
_WITHOUT_SUBJECT = "e.subject_type_id IS NULL AND e.kind = c.kind"


def _cell_rows(cells: Sequence[tuple[int, int | None, str, str]], match: str) -> list[tuple[Any, ...]]:
    if not cells:
        return []
    sql = _CELLS_SQL.format(table=connection.ops.quote_name(Execution._meta.db_table), match=match)
    params: dict[str, Any] = {
        "keys": [cell[0] for cell in cells],
        "types": [cell[1] or 0 for cell in cells],
        "ids": [cell[2] for cell in cells],
        "kinds": [cell[3] for cell in cells],
        "succeeded": ExecutionStatus.SUCCEEDED.value,
        "failed": [status.value for status in FAILED_STATUSES],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def health_cells(lines: Iterable[tuple[HealthSource, HealthRow]], now: datetime | None = None) -> list[HealthLine]:
    """The cells of `lines`, in two queries (rows with a subject, rows without)."""
    now = now or timezone.now()
    wanted: list[tuple[HealthSource, HealthRow, str]] = []
    with_subject: list[tuple[int, int | None, str, str]] = []
    without_subject: list[tuple[int, int | None, str, str]] = []
    for source, row in lines:
        subject_type = ContentType.objects.get_for_model(row.subject).pk if row.subject is not None else None
        for kind in row_kinds(source, row):
            index = len(wanted)
            wanted.append((source, row, kind))
            if row.subject is None:
                without_subject.append((index, None, "", kind))
            else:
                with_subject.append((index, subject_type, str(row.subject.pk), kind))
    found = {
        result[0]: result[1:]
        for result in _cell_rows(with_subject, _WITH_SUBJECT) + _cell_rows(without_subject, _WITHOUT_SUBJECT)
    }
    result: list[HealthLine] = []
    for index, (source, row, kind) in enumerate(wanted):
        latest_id, status, parent_id, success_finished, success_created, streak = found.get(
            index, (None, None, None, None, None, 0)
        )
        success_at = success_finished or success_created
        cell = HealthCell(
            source=source,
            row=row,
            kind=kind,
            state=_state(status or "", int(streak or 0), success_at is not None),
            latest_id=latest_id,
            latest_status=status or "",
            latest_parent_id=parent_id,
            last_success_at=success_at,
            streak=int(streak or 0),
            lag=now - success_at if success_at is not None else None,
        )
        if not result or result[-1].row is not row:
            result.append(HealthLine(source=source, row=row))
        result[-1].cells.append(cell)
    return result


def health_cell(source: HealthSource, row: HealthRow, kind: str) -> HealthCell:
    return next(cell for cell in health_cells([(source, row)])[0].cells if cell.kind == kind)


def _matches(row: HealthRow, query: str) -> bool:
    return query in row.label.casefold() or query in row.detail.casefold()


def health_rows(user: User, filters: HealthFilters) -> list[tuple[HealthSource, HealthRow]]:
    """Every row the viewer may see that the source and text filters keep, in the sources' order."""
    query = filters.q.strip().casefold()
    return [
        (source, row)
        for source in health_sources_all()
        if not filters.source or source.key == filters.source
        for row in source.rows(user, filters.month)
        if not query or _matches(row, query)
    ]


def health_grid(user: User, filters: HealthFilters, *, page: Any = 1, per_page: int = PAGE_SIZE) -> HealthGrid:
    """One page of the grid. Filtering by state needs every candidate row's cells first (still two queries);
    otherwise only the page's cells are read."""
    lines = health_rows(user, filters)
    computed: dict[str, HealthLine] = {}
    if filters.state:
        computed = {line.row.key: line for line in health_cells(lines)}
        lines = [
            (source, row)
            for source, row in lines
            if any(cell.state == filters.state for cell in computed[row.key].cells)
        ]
    current = Paginator(lines, per_page).get_page(page)
    page_lines = (
        [computed[row.key] for _source, row in current.object_list] if computed else health_cells(current.object_list)
    )
    groups: list[tuple[HealthSource, list[str], list[HealthLine]]] = []
    for line in page_lines:
        if not groups or groups[-1][0] is not line.source:
            groups.append((line.source, [kind_label(kind) for kind in line.source.kinds], []))
        groups[-1][2].append(line)
    return HealthGrid(page=current, groups=groups, total_rows=len(lines))
