"""Reads scoped by tenant: an administrator sees every company; anyone else only their own company's
appointments and logs, and only their own integration."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from calendar_sync.models import Appointment, CalendarSyncLog, GoogleCalendarIntegration, LogStatus
from orchestration.models import Role, User


def _sees_everything(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.ADMINISTRATOR))


def appointments_visible(user: User) -> QuerySet[Appointment]:
    queryset = Appointment.objects.select_related("professional", "company")
    if _sees_everything(user):
        return queryset
    if not user.is_authenticated or user.company_id is None:
        return queryset.none()
    return queryset.filter(company_id=user.company_id)


def sync_logs_visible(user: User) -> QuerySet[CalendarSyncLog]:
    queryset = CalendarSyncLog.objects.select_related("appointment", "user")
    if _sees_everything(user):
        return queryset
    if not user.is_authenticated or user.company_id is None:
        return queryset.none()
    return queryset.filter(company_id=user.company_id)


def integrations_visible(user: User) -> QuerySet[GoogleCalendarIntegration]:
    queryset = GoogleCalendarIntegration.objects.select_related("user", "user__company")
    if _sees_everything(user):
        return queryset
    return queryset.filter(user_id=user.pk)


def integration_of(user: User) -> GoogleCalendarIntegration | None:
    return GoogleCalendarIntegration.objects.select_related("user").filter(user_id=user.pk).first()


def calendar_metrics(user: User) -> dict[str, Any]:
    """The source's metrics: active integrations, success rate of the logged actions, expired tokens, last
    sync per user; an administrator's cover every company, anyone else's their company."""
    integrations = GoogleCalendarIntegration.objects.select_related("user")
    logs = CalendarSyncLog.objects.all()
    if not _sees_everything(user):
        company = user.company_id if user.is_authenticated else None
        integrations = integrations.filter(user__company_id=company) if company else integrations.none()
        logs = logs.filter(company_id=company) if company else logs.none()
    totals = logs.aggregate(
        success=Count("id", filter=Q(status=LogStatus.SUCCESS)),
        error=Count("id", filter=Q(status=LogStatus.ERROR)),
        skipped=Count("id", filter=Q(status=LogStatus.SKIPPED)),
    )
    decided = totals["success"] + totals["error"]
    now = timezone.now()
    return {
        "active_integrations": integrations.filter(is_active=True).count(),
        "integrations": integrations.count(),
        "success_rate": round(totals["success"] / decided, 4) if decided else None,
        "log_totals": totals,
        "expired_tokens": integrations.filter(token_expires_at__lt=now).exclude(refresh_token="").count(),
        "conflicts": Appointment.objects.filter(professional_id__in=integrations.values("user_id"))
        .exclude(sync_conflict="")
        .count(),
        "last_sync": [
            {
                "user_id": i.user_id,
                "user": str(i.user),
                "email": i.user.email,
                "last_sync_at": i.last_sync_at,
                "is_active": i.is_active,
            }
            for i in integrations.order_by("user__name", "pk")
        ],
    }
