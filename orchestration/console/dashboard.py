"""The dashboard's reads of the ledger, alerts and notifications: a few aggregate queries each, never a row per
execution (a WhatsApp check runs every minute per session)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from orchestration.models import (
    Alert,
    AlertStatus,
    Execution,
    ExecutionStatus,
    Notification,
    NotificationStatus,
    Severity,
    User,
)
from orchestration.registries.kinds import kind_label
from orchestration.services.notifications import alert_group_subject

CHART_DAYS = 30
STATS_DAYS = 30
FAILURE_HOURS = 24
ACTIVE = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)
FAILED = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
# The chart's stack, from the bottom: what went well, then what did not, then what is still going.
CHART_STATUSES = (
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.PARTIAL,
    ExecutionStatus.FAILED,
    ExecutionStatus.TIMED_OUT,
    ExecutionStatus.CANCELLED,
    ExecutionStatus.SKIPPED,
    ExecutionStatus.RUNNING,
    ExecutionStatus.QUEUED,
    ExecutionStatus.RETRYING,
)


def top_level() -> QuerySet[Execution]:
    """Runs as people start them: a fan-out counts once (its items are in its page), not once per item."""
    return Execution.objects.filter(parent__isnull=True)


def executions_per_day(*, days: int = CHART_DAYS, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Top-level executions created per local day and status over the last `days` days (today included), as
    Chart.js wants them: one label per day and one dataset per status that occurred."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=days - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        top_level()
        .filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "status")
        .annotate(total=Count("id"))
    )
    dates = [first + datetime.timedelta(days=offset) for offset in range(days)]
    counts: dict[str, dict[datetime.date, int]] = {}
    for row in rows:
        counts.setdefault(row["status"], {})[row["day"]] = row["total"]
    labels = dict(ExecutionStatus.choices)
    datasets = [
        {"status": status, "label": str(labels[status]), "data": [counts[status].get(day, 0) for day in dates]}
        for status in CHART_STATUSES
        if status in counts
    ]
    return {
        "days": [day.isoformat() for day in dates],
        "labels": [day.strftime("%d/%m") for day in dates],
        "datasets": datasets,
        "total": sum(sum(dataset["data"]) for dataset in datasets),
    }


@dataclass(frozen=True)
class KindStats:
    kind: str
    label: str
    total: int
    succeeded: int
    failed: int
    finished: int
    median_seconds: float | None

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None


def _median_duration(queryset: QuerySet[Execution], count: int) -> float | None:
    """The middle duration by one ordered, offset read (portable: PostgreSQL and SQLite alike)."""
    if not count:
        return None
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    ordered = queryset.annotate(duration=duration).order_by("duration").values_list("duration", flat=True)
    middle = ordered[(count - 1) // 2 : count // 2 + 1]
    values = [value.total_seconds() for value in middle if value is not None]
    return sum(values) / len(values) if values else None


def kind_stats(*, days: int = STATS_DAYS, now: datetime.datetime | None = None) -> list[KindStats]:
    """Success rate (succeeded over finished) and median duration per kind, items of fan-outs included."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    recent = Execution.objects.filter(created_at__gte=since)
    timed = Q(started_at__isnull=False, finished_at__isnull=False)
    rows = (
        recent.values("kind")
        .annotate(
            total=Count("id"),
            succeeded=Count("id", filter=Q(status=ExecutionStatus.SUCCEEDED)),
            failed=Count("id", filter=Q(status__in=FAILED)),
            finished=Count("id", filter=Q(status__in=ExecutionStatus.terminal()) & ~Q(status=ExecutionStatus.SKIPPED)),
            timed=Count("id", filter=timed & ~Q(status=ExecutionStatus.SKIPPED)),
        )
        .order_by("kind")
    )
    stats = [
        KindStats(
            kind=row["kind"],
            label=kind_label(row["kind"]),
            total=row["total"],
            succeeded=row["succeeded"],
            failed=row["failed"],
            finished=row["finished"],
            median_seconds=_median_duration(
                recent.filter(timed, kind=row["kind"]).exclude(status=ExecutionStatus.SKIPPED), row["timed"]
            ),
        )
        for row in rows
    ]
    return sorted(stats, key=lambda item: (-item.total, item.label))


@dataclass(frozen=True)
class RunningExecution:
    execution: Execution
    label: str
    items_total: int
    items_done: int
    items_failed: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.items_done / self.items_total) if self.items_total else None


def running_now(*, limit: int = 10) -> tuple[list[RunningExecution], int]:
    """Top-level executions queued or running, newest first, with their fan-out progress; and how many in all."""
    active = top_level().filter(status__in=ACTIVE)
    total = active.count()
    page = list(
        active.select_related("started_by")
        .annotate(
            items_total=Count("children"),
            items_done=Count("children", filter=Q(children__status__in=ExecutionStatus.terminal())),
            items_failed=Count("children", filter=Q(children__status__in=FAILED)),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        RunningExecution(
            execution=execution,
            label=kind_label(execution.kind),
            items_total=execution.items_total,  # type: ignore[attr-defined]
            items_done=execution.items_done,  # type: ignore[attr-defined]
            items_failed=execution.items_failed,  # type: ignore[attr-defined]
        )
        for execution in page
    ], total


def recent_failures(
    *, hours: int = FAILURE_HOURS, limit: int = 8, now: datetime.datetime | None = None
) -> tuple[list[Execution], int, datetime.datetime]:
    """Executions (items included) that failed or timed out in the last `hours`, newest first; the count; the
    window's start (for the link to the list behind the tile)."""
    since = (now or timezone.now()) - datetime.timedelta(hours=hours)
    # By creation, as the list behind the tile filters (created_after), so both count the same runs.
    failed = Execution.objects.filter(status__in=FAILED, created_at__gte=since)
    return list(failed.order_by("-created_at", "-id")[:limit]), failed.count(), since


@dataclass(frozen=True)
class AlertGroup:
    group: str
    title: str
    open: int
    severity: str
    last_seen_at: datetime.datetime


def open_alert_groups(*, limit: int = 8) -> tuple[list[AlertGroup], int]:
    """Open alerts by group, worst severity first; and the number of open alerts in all."""
    rows = (
        Alert.objects.filter(status=AlertStatus.OPEN)
        .values("group", "severity")
        .annotate(open=Count("id"), subject=Max("group_title"), last=Max("last_seen_at"))
    )
    groups: dict[str, AlertGroup] = {}
    for row in rows:
        known = groups.get(row["group"])
        worst = row["severity"]
        if known is not None and Severity.rank(known.severity) > Severity.rank(worst):
            worst = known.severity
        groups[row["group"]] = AlertGroup(
            group=row["group"],
            title=alert_group_subject(row["subject"], row["open"] + (known.open if known else 0)) or row["group"],
            open=row["open"] + (known.open if known else 0),
            severity=worst,
            last_seen_at=max(row["last"], known.last_seen_at) if known else row["last"],
        )
    ordered = sorted(groups.values(), key=lambda g: (-Severity.rank(g.severity), -g.open, g.title))
    return ordered[:limit], sum(group.open for group in groups.values())


def unread_notifications(user: User, *, limit: int = 5) -> tuple[list[Notification], int]:
    """The viewer's delivered notifications not marked read yet, newest first, and how many."""
    unread = Notification.objects.filter(recipient=user, status=NotificationStatus.SENT, read_at__isnull=True)
    return list(unread.order_by("-created_at", "-id")[:limit]), unread.count()
