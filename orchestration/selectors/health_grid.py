"""The health grid's numbers (the console's /console/health/): for each cell — one row (an account, a session,
an integration, a monthly process) × one of its kinds — the latest execution, the last success, the failure
streak since then and the state those make.

A page costs a few queries, whatever its size: the rows come from their sources (registries/console.py) and
the cells from one query per model and kind (correlated subqueries on the ledger's indexes, plain ORM: the
same on PostgreSQL and SQLite). Nothing loads a cell's history: a WhatsApp session checked
every minute has thousands of executions, and the grid reads three rows of them.

Only SUCCEEDED counts as a success: PARTIAL means some of the item's work went wrong (a WhatsApp check whose
provider did not answer ends PARTIAL), so it shows as a warning and does not reset the lag.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orchestration.models import Execution, ExecutionStatus, User
from orchestration.registries.console import CellReading, HealthRow, HealthSource, health_sources_all
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


# What a cell reads of the ledger, as correlated subqueries over the executions that belong to it: the newest
# one, the newest success, and the failures since that success. Each is an ordered LIMIT 1 (or a count) on the
# ledger's indexes, (subject, -created_at) and (kind, -created_at), so a cell never loads its history. Plain ORM:
# the same on PostgreSQL and on the embedded SQLite.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CellValues = tuple[int | None, str | None, int | None, datetime | None, datetime | None, int]
NO_RUN: CellValues = (None, None, None, None, None, 0)
# In place of a content type id: the row's source reads its cells itself (HealthSource.read_cells).
OWN_READING = -1


def _latest(executions: models.QuerySet[Execution]) -> dict[str, Any]:
    newest = executions.order_by("-created_at", "-id")
    success = newest.filter(status=ExecutionStatus.SUCCEEDED)
    return {
        "latest_id": Subquery(newest.values("id")[:1]),
        "latest_status": Subquery(newest.values("status")[:1]),
        "latest_parent_id": Subquery(newest.values("parent_id")[:1]),
        "success_finished": Subquery(success.values("finished_at")[:1]),
        "success_created": Subquery(success.values("created_at")[:1]),
    }


def _streak(executions: models.QuerySet[Execution], success_created: Any) -> Any:
    since = Coalesce(success_created, Value(EPOCH, output_field=models.DateTimeField()))
    failures = executions.filter(status__in=FAILED_STATUSES, created_at__gt=since)
    count = failures.order_by().values("kind").annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(count), Value(0))


_FIELDS = ("latest_id", "latest_status", "latest_parent_id", "success_finished", "success_created", "streak")


def _subject_cells(type_id: int, kind: str, subject_ids: list[str]) -> dict[str, CellValues]:
    """{subject id: the cell's values} for one model's rows and one kind: one query."""
    model = ContentType.objects.get_for_id(type_id).model_class()
    if model is None:
        return {}
    executions = Execution.objects.filter(
        subject_type_id=type_id, subject_id=Cast(OuterRef("pk"), models.CharField()), kind=kind
    )
    rows = (
        model._default_manager.filter(pk__in=subject_ids)
        .annotate(**_latest(executions))
        .annotate(streak=_streak(executions, OuterRef("success_created")))
        .values_list("pk", *_FIELDS)
    )
    return {str(pk): tuple(values) for pk, *values in rows}


def _subjectless_cell(kind: str) -> CellValues:
    """A job about no one thing (Movidesk): its kind's executions without a subject."""
    executions = Execution.objects.filter(subject_type__isnull=True, kind=kind)
    newest = executions.order_by("-created_at", "-id").values_list("id", "status", "parent_id").first()
    success = (
        executions.filter(status=ExecutionStatus.SUCCEEDED)
        .order_by("-created_at", "-id")
        .values_list("finished_at", "created_at")
        .first()
    )
    if newest is None:
        return NO_RUN
    success_created = success[1] if success else EPOCH
    streak = executions.filter(status__in=FAILED_STATUSES, created_at__gt=success_created).count()
    return (*newest, *(success or (None, None)), streak)


def health_cells(lines: Iterable[tuple[HealthSource, HealthRow]], now: datetime | None = None) -> list[HealthLine]:
    """The cells of `lines`: one query per (model, kind) of the rows with a subject, three per kind without."""
    now = now or timezone.now()
    wanted: list[tuple[HealthSource, HealthRow, str, int | None]] = []
    by_group: dict[tuple[int, str], list[str]] = {}
    # Sources that read their own cells (HealthSource.read_cells), by key: the source and its rows here.
    read_by_source: dict[
        str, tuple[Callable[[list[HealthRow]], dict[str, dict[str, CellReading]]], list[HealthRow]]
    ] = {}
    for source, row in lines:
        if source.read_cells is not None:
            read_by_source.setdefault(source.key, (source.read_cells, []))[1].append(row)
            wanted.extend((source, row, kind, OWN_READING) for kind in row_kinds(source, row))
            continue
        subject_type = ContentType.objects.get_for_model(row.subject).pk if row.subject is not None else None
        for kind in row_kinds(source, row):
            wanted.append((source, row, kind, subject_type))
            if row.subject is not None and subject_type is not None:
                by_group.setdefault((subject_type, kind), []).append(str(row.subject.pk))
    found: dict[tuple[int | None, str, str], CellValues] = {}
    for reader, rows in read_by_source.values():
        for row_key, readings in reader(rows).items():
            for kind, reading in readings.items():
                found[(OWN_READING, row_key, kind)] = (
                    reading.latest_id,
                    reading.latest_status or None,
                    None,
                    reading.last_success_at,
                    None,
                    reading.streak,
                )
    for (subject_type, kind), subject_ids in by_group.items():
        for subject_id, values in _subject_cells(subject_type, kind, subject_ids).items():
            found[(subject_type, subject_id, kind)] = values
    for _source, row, kind, subject_type in wanted:
        if subject_type != OWN_READING and row.subject is None and (None, "", kind) not in found:
            found[(None, "", kind)] = _subjectless_cell(kind)
    result: list[HealthLine] = []
    for source, row, kind, subject_type in wanted:
        if subject_type == OWN_READING:
            key: tuple[int | None, str, str] = (OWN_READING, row.key, kind)
        elif row.subject is not None:
            key = (subject_type, str(row.subject.pk), kind)
        else:
            key = (None, "", kind)
        latest_id, status, parent_id, success_finished, success_created, streak = found.get(key, NO_RUN)
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
