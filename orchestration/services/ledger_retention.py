"""Retention of the ledger: executions (with their log lines) and log lines older than
EXECUTION_RETENTION_DAYS are deleted, in batches, by the daily `orchestration.purge_ledger` run.

What is still needed stays, however old:
- a run linked to an OPEN alert (its error is what the alert points at), and the tree it belongs to;
- a run that has not ended, and every run of a fan-out whose parent has not ended (the parent closes itself
  from its children's rows; a retry of failed items re-runs them);
- a fan-out is deleted as a whole tree, from its root, once every run in it ended before the cutoff.
A run "ended before the cutoff" when its `finished_at` (or, if it has none, its `created_at`) is older.
Log lines older than the cutoff are also deleted from runs that are kept only because they ended recently
(a long run) — never from runs kept for an open alert or a fan-out still running."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orchestration.models import Alert, AlertStatus, Execution, ExecutionLogLine, ExecutionStatus
from orchestration.services.executions import ACTIVE_STATUSES

LEDGER_PURGE_KIND = "LEDGER_PURGE"
BATCH_SIZE = 500
LINE_BATCH_SIZE = 10_000


@dataclass
class PurgeTotals:
    executions: int = 0
    log_lines: int = 0
    cutoff: datetime | None = None


def purge_cutoff(*, now: datetime | None = None, days: int | None = None) -> datetime:
    days = settings.EXECUTION_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def _needed(cutoff: datetime) -> Q:
    """A run that must stay: not ended, ended recently, or linked to an open alert."""
    open_alert = Exists(Alert.objects.filter(execution=OuterRef("pk"), status=AlertStatus.OPEN))
    return (
        Q(status__in=ACTIVE_STATUSES)
        | Q(finished_at__gte=cutoff)
        | Q(finished_at__isnull=True, created_at__gte=cutoff)
        | Q(open_alert)
    )


def purgeable_roots(cutoff: datetime) -> QuerySet[Execution]:
    """Top-level runs whose whole tree (children and grandchildren) may go."""
    needed = _needed(cutoff)
    needed_child = Exists(Execution.objects.filter(needed, parent_id=OuterRef("pk")))
    needed_grandchild = Exists(Execution.objects.filter(needed, parent__parent_id=OuterRef("pk")))
    return (
        Execution.objects.filter(parent__isnull=True, status__in=ExecutionStatus.terminal())
        .exclude(needed)
        .exclude(needed_child)
        .exclude(needed_grandchild)
    )


def _old_lines_of_kept_runs(cutoff: datetime) -> QuerySet[ExecutionLogLine]:
    alerts = Alert.objects.filter(status=AlertStatus.OPEN)
    protected = (
        Q(execution__status__in=ACTIVE_STATUSES)
        | Q(execution__parent__status__in=ACTIVE_STATUSES)
        | Q(execution__parent__parent__status__in=ACTIVE_STATUSES)
        | Q(Exists(alerts.filter(execution=OuterRef("execution_id"))))
    )
    return ExecutionLogLine.objects.filter(created_at__lt=cutoff).exclude(protected)


def executions_purge(*, now: datetime | None = None, days: int | None = None) -> PurgeTotals:
    """Deletes what the retention allows; safe to run again (a second run deletes nothing new)."""
    cutoff = purge_cutoff(now=now, days=days)
    totals = PurgeTotals(cutoff=cutoff)
    while True:
        with transaction.atomic():
            roots = list(purgeable_roots(cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
            if not roots:
                break
            tree = Execution.objects.filter(Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots))
            totals.log_lines += ExecutionLogLine.objects.filter(execution__in=tree.values("pk")).delete()[0]
            _, per_model = Execution.objects.filter(pk__in=roots).delete()
            totals.executions += per_model.get(Execution._meta.label, 0)
    old_lines = _old_lines_of_kept_runs(cutoff)
    while True:
        ids = list(old_lines.order_by("pk").values_list("pk", flat=True)[:LINE_BATCH_SIZE])
        if not ids:
            break
        totals.log_lines += ExecutionLogLine.objects.filter(pk__in=ids).delete()[0]
    return totals
