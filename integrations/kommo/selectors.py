"""Reads for the status endpoint and the admin: the last sync of each account and its success rate."""

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils import timezone

from integrations.kommo.models import KommoAccount, KommoReplicaReport
from integrations.kommo.sync import REPLICA_KIND, SYNC_KIND
from orchestration.models import Execution, ExecutionStatus

RATE_WINDOW_DAYS = 30


def _execution(execution: Execution | None) -> dict[str, Any] | None:
    if execution is None:
        return None
    return {
        "execution_id": execution.pk,
        "status": execution.status,
        "dry_run": bool(execution.parameters.get("dry_run")),
        "started_at": execution.started_at,
        "finished_at": execution.finished_at,
        "counters": execution.counters,
        "error": execution.error,
    }


def kommo_status() -> dict[str, Any]:
    """Every account with its last replica run and its success rate over RATE_WINDOW_DAYS: replica runs that
    ended SUCCEEDED among the attempts of those that ended SUCCEEDED, PARTIAL, FAILED or TIMED_OUT (a failed
    replica retried later is one execution with two attempts: one failure, one success); dry runs excluded."""
    since = timezone.now() - timedelta(days=RATE_WINDOW_DAYS)
    account_type = ContentType.objects.get_for_model(KommoAccount)
    runs = Execution.objects.filter(kind=REPLICA_KIND, subject_type=account_type)
    judged = (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
    rates = {
        row["subject_id"]: row
        for row in runs.filter(finished_at__gte=since, status__in=judged, parameters__dry_run=False)
        .values("subject_id")
        .annotate(total=Sum("attempt"), succeeded=Count("id", filter=Q(status=ExecutionStatus.SUCCEEDED)))
    }
    accounts = []
    for account in KommoAccount.objects.order_by("-role", "subdomain"):
        last = runs.filter(subject_id=str(account.pk)).order_by("-created_at", "-id").first()
        rate = rates.get(str(account.pk))
        accounts.append(
            {
                "subdomain": account.subdomain,
                "name": account.name,
                "role": account.role,
                "active": account.active,
                "auth_state": account.auth_state,
                "auth_error": account.auth_error,
                "last_sync": _execution(last),
                "runs_30d": rate["total"] if rate else 0,
                "success_rate_30d": round(rate["succeeded"] / rate["total"], 4) if rate else None,
            }
        )
    last_sync = Execution.objects.filter(kind=SYNC_KIND).order_by("-created_at", "-id").first()
    return {"last_sync": _execution(last_sync), "accounts": accounts}


def kommo_sync_detail(parent: Execution) -> dict[str, Any]:
    """One sync and, per replica, its run and its plan (every change it planned, `unchanged` left out) with
    the errors Kommo answered: what a dry run shows and what a real run did."""
    children = list(parent.children.order_by("id"))
    reports = {r.execution_id: r for r in KommoReplicaReport.objects.filter(execution__in=children)}
    replicas = []
    for child in children:
        report = reports.get(child.pk)
        replicas.append(
            {
                "subdomain": child.parameters.get("subdomain", ""),
                **(_execution(child) or {}),
                "plan": [row for row in (report.plan if report else []) if row.get("action") != "unchanged"],
                "errors": report.errors if report else [],
            }
        )
    return {**(_execution(parent) or {}), "sync_type": parent.parameters.get("sync_type", ""), "replicas": replicas}
