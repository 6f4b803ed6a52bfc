"""Movidesk ticket sync: one window read page by page and upserted page by page, as one Execution.

Every run — manual, API, scheduled, each backfill window — takes the LOCK_KEY lock, so two never
overlap; a trigger that finds it held is recorded as SKIPPED. Counters go to the ledger after every
committed page: pages, new, updated, unchanged, total (and rejected rows, if any).
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from celery import Task
from django.conf import settings
from django.utils.translation import gettext as _

from integrations.movidesk.client import TICKETS, MovideskClient, TicketCursor
from integrations.movidesk.configuration import automatic_sync_enabled, movidesk_client, movidesk_connection
from integrations.movidesk.exceptions import MovideskNotConfigured, MovideskPageError, MovideskResponseError
from integrations.movidesk.store import tickets_upsert
from integrations.movidesk.windows import MovideskSyncWindow, parse_date, window_automatic, window_segments
from orchestration.models import Execution, ExecutionStatus, LogLevel, Severity, Trigger
from orchestration.outbound import MalformedResponseError
from orchestration.services.alerts import alert_raise, alert_resolve
from orchestration.services.executions import execution_create, execution_skip
from orchestration.services.runner import JobContext, execution_run

SYNC_KIND = "MOVIDESK_SYNC"
LOCK_KEY = "movidesk-sync"
LOCK_TTL_SECONDS = 15 * 60  # renewed at every page; outlives the longest Retry-After we honour
MAX_ATTEMPTS = 3
ALERT_FINGERPRINT = "movidesk:sync-failed"


@dataclass
class MovideskSyncTotals:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    total: int = 0
    rejected: int = 0

    def add(self, other: "MovideskSyncTotals") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def counters(self) -> dict[str, int]:
        values = asdict(self)
        if not values["rejected"]:
            del values["rejected"]
        return values

    def summary(self) -> str:
        return _("Novos: %(new)d, Atualizados: %(updated)d, Inalterados: %(unchanged)d, Total: %(total)d") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "total": self.total,
        }


@dataclass(frozen=True)
class MovideskPageProgress:
    page: int
    received: int
    totals: MovideskSyncTotals


MovideskPageCallback = Callable[[MovideskPageProgress], None]


def client_log(context: JobContext) -> Callable[[str, str], None]:
    # Retries and failures of the HTTP client go to the execution's log; the per-request lines do not.
    def log(message: str, level: str) -> None:
        if level != LogLevel.DEBUG:
            context.log(message, level)

    return log


def movidesk_window_sync(
    *,
    client: MovideskClient,
    window: MovideskSyncWindow,
    context: JobContext,
    totals: MovideskSyncTotals | None = None,
    on_page: MovideskPageCallback | None = None,
    now: datetime | None = None,
) -> MovideskSyncTotals:
    """Reads `window` page by page and commits each page before asking for the next one.

    `totals` (if given) keeps accumulating across windows and is what goes to the ledger; page
    numbers in messages count from 1 within this window."""
    window_totals = MovideskSyncTotals()
    totals = totals if totals is not None else window_totals
    page_size = settings.MOVIDESK_PAGE_SIZE
    # Tickets near the 90-day boundary may come from both routes; they are counted and written once.
    seen_in_overlap: set[int] = set()
    for segment in window_segments(window, now):
        cursor: TicketCursor | None = None
        while True:
            page_number = window_totals.pages + 1
            try:
                page = client.tickets_page(
                    path=segment.path, start=segment.start, end=segment.end, after=cursor, top=page_size
                )
            except (MalformedResponseError, MovideskResponseError) as error:
                raise MovideskPageError(page_number, getattr(error, "detail", "") or str(error), str(window)) from error
            fresh = [t for t in page.tickets if t.id not in seen_in_overlap]
            seen_in_overlap.update(t.id for t in fresh if segment.overlap_start <= t.last_update < segment.overlap_end)
            with context.atomic():  # committed here, unless the run was cancelled meanwhile
                result = tickets_upsert(fresh)
            step = MovideskSyncTotals(1, result.new, result.updated, result.unchanged, len(fresh), len(page.rejected))
            window_totals.add(step)
            if totals is not window_totals:
                totals.add(step)
            context.set_counters(**totals.counters())
            route = "" if segment.path == TICKETS else " (/tickets/past)"
            context.log(
                _(
                    "Página %(page)d%(route)s: %(count)d tickets — novos %(new)d, atualizados %(updated)d, "
                    "inalterados %(unchanged)d."
                )
                % {
                    "page": page_number,
                    "route": route,
                    "count": len(fresh),
                    "new": result.new,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
            for reason in page.rejected:
                context.log(
                    _("Página %(page)d: linha ignorada (%(reason)s).") % {"page": page_number, "reason": reason},
                    LogLevel.WARNING,
                )
            if on_page is not None:
                on_page(MovideskPageProgress(page_number, page.received, totals))
            context.checkpoint()
            if page.received < page_size:
                break
            if page.cursor is None:
                raise MovideskPageError(
                    page_number, _("página cheia sem nenhum ticket legível para continuar"), str(window)
                )
            cursor = page.cursor
    return window_totals


def _sync_job(window: MovideskSyncWindow, on_page: MovideskPageCallback | None) -> Callable[[JobContext], None]:
    def job(context: JobContext) -> None:
        connection = movidesk_connection()
        context.log(
            _("Sincronizando tickets do Movidesk de %(window)s (%(source)s).")
            % {"window": window, "source": connection.source}
        )
        totals = MovideskSyncTotals()
        with movidesk_client(connection, log=client_log(context)) as client:
            movidesk_window_sync(client=client, window=window, context=context, totals=totals, on_page=on_page)
        context.log(_("Sincronização concluída! %(summary)s") % {"summary": totals.summary()})

    return job


def movidesk_sync_run(
    *,
    window: MovideskSyncWindow,
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
    task: Task | None = None,
    on_page: MovideskPageCallback | None = None,
) -> Execution:
    """Runs one window now, in this process, as one Execution (locked; SKIPPED if another runs).

    Its end raises or resolves the `movidesk:sync-failed` alert; a retried attempt raises celery's Retry out
    of here, so only the final failure (after the retries) alerts."""
    execution = execution_run(
        kind=SYNC_KIND,
        job=_sync_job(window, on_page),
        execution_id=execution_id,
        trigger=trigger,
        parameters=window.as_parameters(),
        lock_key=LOCK_KEY,
        lock_ttl=LOCK_TTL_SECONDS,
        task=task,
        max_attempts=MAX_ATTEMPTS,
    )
    movidesk_sync_alert(execution)
    return execution


def movidesk_sync_alert(execution: Execution) -> None:
    if execution.status in (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT):
        alert_raise(
            fingerprint=ALERT_FINGERPRINT,
            group="movidesk:sync",
            severity=Severity.CRITICAL,
            title=_("Sincronização do Movidesk falhou"),
            details=execution.error[:2000],
            execution=execution,
        )
    elif execution.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL):
        alert_resolve(fingerprint=ALERT_FINGERPRINT)


def movidesk_sync_scheduled_run(*, task: Task | None = None, execution_id: int | None = None) -> Execution:
    """The automatic run: today and the two days before, in local dates, computed when it starts.
    A retry (`execution_id` given) keeps the window of its first attempt, even past midnight."""
    if execution_id is not None:
        parameters = Execution.objects.get(pk=execution_id).parameters
        window = MovideskSyncWindow(parse_date(parameters["from"], "from"), parse_date(parameters["to"], "to"))
        return movidesk_sync_run(window=window, trigger=Trigger.SCHEDULE, task=task, execution_id=execution_id)
    window = window_automatic()
    if not automatic_sync_enabled():
        execution = execution_create(
            kind=SYNC_KIND, trigger=Trigger.SCHEDULE, parameters=window.as_parameters(), lock_key=LOCK_KEY
        )
        return execution_skip(execution=execution, reason=_("Ignorada: a sincronização automática está desativada."))
    return movidesk_sync_run(window=window, trigger=Trigger.SCHEDULE, task=task)


def movidesk_sync_demo_run(*, task: Task | None = None) -> Execution | None:
    """The demo schedule's run: the automatic sync, but only while it would reach the local simulator."""
    try:
        source = movidesk_connection().source
    except MovideskNotConfigured:
        return None
    if source != "demo":
        return None
    return movidesk_sync_scheduled_run(task=task)
