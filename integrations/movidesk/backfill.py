"""Backfill: any date range walked in 5-day windows, resumable.

One Execution per backfill run, but the sync lock is taken per window, so the scheduled runs can
still happen between windows of a long backfill (and the backfill waits while one runs). After each
window, MovideskBackfill.next_date moves on: re-running with the same `since` starts there.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integrations.movidesk.configuration import movidesk_client, movidesk_connection
from integrations.movidesk.models import MovideskBackfill
from integrations.movidesk.sync import (
    LOCK_KEY,
    LOCK_TTL_SECONDS,
    MovideskPageCallback,
    MovideskPageProgress,
    MovideskSyncTotals,
    client_log,
    movidesk_window_sync,
)
from integrations.movidesk.windows import MovideskSyncWindow, backfill_windows, local_today, parse_date
from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, LogLevel, Trigger
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.services.runner import JobContext, execution_run

BACKFILL_KIND = "MOVIDESK_BACKFILL"
LOCK_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class MovideskBackfillPlan:
    backfill: MovideskBackfill
    windows: list[MovideskSyncWindow]
    resumed: bool  # part of the range was done by an earlier run


MovideskWindowCallback = Callable[[MovideskSyncWindow, MovideskSyncTotals], None]


def movidesk_backfill_plan(
    *, since: date | str, until: date | str | None = None, restart: bool = False
) -> MovideskBackfillPlan:
    """The backfill row for `since` (created, or found to resume) and the windows still to do."""
    start = parse_date(since, "since")
    today = local_today()
    end = parse_date(until, "until") if until else today
    if end > today:
        raise ValidationFailed(_("A data final (%(end)s) está no futuro.") % {"end": f"{end:%d/%m/%Y}"})
    if start > end:
        raise ValidationFailed(
            _("A data inicial (%(start)s) é posterior à final (%(end)s).")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
        )
    with transaction.atomic():
        backfill, created = MovideskBackfill.objects.select_for_update().get_or_create(
            since=start, defaults={"until": end, "next_date": start}
        )
        if restart:
            backfill.next_date, backfill.windows_done = start, 0
        backfill.until = end
        backfill.save()
    resumed = not created and backfill.next_date > start
    return MovideskBackfillPlan(backfill, list(backfill_windows(backfill.next_date, end)), resumed)


def _lock_window(context: JobContext, owner: str) -> None:
    announced = False
    while not lock_acquire(key=LOCK_KEY, owner=owner, ttl_seconds=LOCK_TTL_SECONDS):
        if not announced:
            context.log(_("Aguardando o fim de outra sincronização do Movidesk…"), LogLevel.WARNING)
            announced = True
        context.checkpoint()
        time.sleep(LOCK_POLL_SECONDS)


def _backfill_job(
    plan: MovideskBackfillPlan, on_page: MovideskPageCallback | None, on_window: MovideskWindowCallback | None
) -> Callable[[JobContext], None]:
    backfill = plan.backfill

    def job(context: JobContext) -> None:
        connection = movidesk_connection()
        if plan.resumed:
            context.log(
                _("Retomando a carga histórica a partir de %(date)s (%(done)d janelas já concluídas).")
                % {"date": f"{backfill.next_date:%d/%m/%Y}", "done": backfill.windows_done}
            )
        context.log(
            _("Carga histórica de %(since)s a %(until)s: %(count)d janela(s) de até 5 dias.")
            % {"since": f"{backfill.since:%d/%m/%Y}", "until": f"{backfill.until:%d/%m/%Y}", "count": len(plan.windows)}
        )
        # Owned like the runner's locks (the execution's id) and recorded on the row, so that cancelling the
        # backfill frees the lock at once, as it does for a single sync. Only on the row: the context must
        # not renew a lock this job releases between windows on purpose.
        owner = str(context.execution.pk)
        Execution.objects.filter(pk=context.execution.pk).update(lock_key=LOCK_KEY)

        def page_done(progress: MovideskPageProgress) -> None:
            lock_acquire(key=LOCK_KEY, owner=owner, ttl_seconds=LOCK_TTL_SECONDS)  # renew
            if on_page is not None:
                on_page(progress)

        totals = MovideskSyncTotals()
        with movidesk_client(connection, log=client_log(context)) as client:
            for window in plan.windows:
                _lock_window(context, owner)
                try:
                    context.log(_("Janela %(window)s.") % {"window": window})
                    window_totals = movidesk_window_sync(
                        client=client, window=window, context=context, totals=totals, on_page=page_done
                    )
                finally:
                    lock_release(key=LOCK_KEY, owner=owner)
                MovideskBackfill.objects.filter(pk=backfill.pk).update(
                    next_date=window.date_to + timedelta(days=1),
                    windows_done=F("windows_done") + 1,
                    last_execution=context.execution,
                )
                context.count(windows=1)
                context.log(
                    _("Janela %(window)s concluída. %(summary)s")
                    % {"window": window, "summary": window_totals.summary()}
                )
                if on_window is not None:
                    on_window(window, totals)
        context.log(_("Carga histórica concluída! %(summary)s") % {"summary": totals.summary()})

    return job


def movidesk_backfill_run(
    *,
    plan: MovideskBackfillPlan,
    trigger: str = Trigger.MANUAL,
    on_page: MovideskPageCallback | None = None,
    on_window: MovideskWindowCallback | None = None,
) -> Execution:
    """Runs the plan's windows in this process as one Execution; stops at the first failure, keeping
    every window completed before it."""
    backfill = plan.backfill
    parameters = {
        "since": backfill.since.isoformat(),
        "until": backfill.until.isoformat(),
        "from": backfill.next_date.isoformat(),
        "backfill_id": backfill.pk,
    }
    return execution_run(
        kind=BACKFILL_KIND,
        job=_backfill_job(plan, on_page, on_window),
        trigger=trigger,
        parameters=parameters,
        lock_ttl=LOCK_TTL_SECONDS,
    )
