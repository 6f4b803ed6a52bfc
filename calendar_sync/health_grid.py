"""Google Calendar on the health grid: a row per integration of the viewer's company (every company for an
administrator), its CALENDAR_SYNC runs; re-running one syncs that integration's recent changes now."""

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_sync.enqueue import integration_sync_enqueue
from calendar_sync.models import GoogleCalendarIntegration
from calendar_sync.sync import SYNC_KIND
from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, Role, Trigger, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, register_health_source


def integrations_of_company(user: User) -> QuerySet[GoogleCalendarIntegration]:
    """As the source's metrics scope them (selectors.calendar_metrics): an administrator sees every company's,
    anyone else their company's, and a user of no company none."""
    integrations = GoogleCalendarIntegration.objects.select_related("user", "user__company").order_by("user__name")
    if user.has_role(Role.ADMINISTRATOR):
        return integrations
    return integrations.filter(user__company_id=user.company_id) if user.company_id else integrations.none()


def _detail(integration: GoogleCalendarIntegration) -> str:
    parts = [integration.google_email or _("conta Google não conectada")]
    if integration.user.company is not None:
        parts.append(integration.user.company.name)
    if not integration.is_active:
        parts.append(_("desativada"))
    return " · ".join(parts)


def calendar_rows(user: User, month: date) -> list[HealthRow]:
    if not user.has_perm("calendar_sync.view_googlecalendarintegration"):
        return []
    return [
        HealthRow(
            key=f"calendar:{integration.pk}",
            label=str(integration.user),
            subject=integration,
            link=reverse("admin:calendar_sync_googlecalendarintegration_change", args=[integration.pk]),
            detail=_detail(integration),
        )
        for integration in integrations_of_company(user)
    ]


def calendar_rerun(row: HealthRow, kind: str, requester: Requester) -> Execution:
    integration = row.subject
    assert isinstance(integration, GoogleCalendarIntegration)  # noqa: S101 - the rows above are integrations
    integration.refresh_from_db()
    if not integration.is_active:
        raise ValidationFailed(_("A sincronização está desativada: ative-a antes."))
    return integration_sync_enqueue(
        integration,
        trigger=Trigger.MANUAL,
        user=requester.user,
        request_meta={"ip": requester.ip or "", "user_agent": requester.user_agent},
    )


register_health_source(
    HealthSource(
        "calendar",
        gettext_lazy("Google Agenda"),
        kinds=(SYNC_KIND,),
        rows=calendar_rows,
        rerun=calendar_rerun,
        rerun_permission="calendar_sync.change_googlecalendarintegration",
        order=40,
    )
)
