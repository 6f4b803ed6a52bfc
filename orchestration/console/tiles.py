"""The console's own tiles (about the ledger, alerts and notifications); the apps add theirs in
`<app>/dashboard_tiles.py`. Each context function returns None when the viewer may not see the tile."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from orchestration.console import dashboard
from orchestration.models import AlertStatus, ExecutionStatus, NotificationStatus, User

VIEW_EXECUTIONS = "orchestration.view_execution"
VIEW_ALERTS = "orchestration.view_alert"


def _executions_url(**query: Any) -> str:
    return f"{reverse('console:executions')}?{urlencode(query, doseq=True)}"


def chart_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_EXECUTIONS):
        return None
    chart = dashboard.executions_per_day()
    columns = [dataset["data"] for dataset in chart["datasets"]]
    table = [(label, [column[day] for column in columns]) for day, label in enumerate(chart["labels"])]
    return {"chart": chart, "table": table, "list_url": reverse("console:executions")}


def kind_stats_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_EXECUTIONS):
        return None
    return {"stats": dashboard.kind_stats(), "days": dashboard.STATS_DAYS, "list_url": reverse("console:executions")}


def running_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_EXECUTIONS):
        return None
    running, total = dashboard.running_now()
    return {"running": running, "total": total, "list_url": _executions_url(status=list(dashboard.ACTIVE))}


def failures_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_EXECUTIONS):
        return None
    failures, total, since = dashboard.recent_failures()
    return {
        "failures": failures,
        "total": total,
        "hours": dashboard.FAILURE_HOURS,
        "list_url": _executions_url(
            status=[ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT], created_after=since.isoformat(), items=1
        ),
    }


def alerts_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_ALERTS):
        return None
    groups, total = dashboard.open_alert_groups()
    base = reverse("console:alerts")
    return {
        "groups": [
            (group, f"{base}?{urlencode({'status': AlertStatus.OPEN, 'group': group.group})}") for group in groups
        ],
        "total": total,
        "list_url": f"{base}?{urlencode({'status': AlertStatus.OPEN})}",
    }


def notifications_context(user: User) -> dict[str, Any] | None:
    notifications, total = dashboard.unread_notifications(user)
    return {
        "notifications": notifications,
        "total": total,
        "list_url": f"{reverse('notification-list')}?{urlencode({'status': NotificationStatus.SENT})}",
    }
