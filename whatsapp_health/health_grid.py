"""WhatsApp on the health grid: a row per session the viewer may see (selectors.sessions_visible_to), its
one-session checks; re-running one checks that session at its provider now."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orchestration.models import Execution, Trigger, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, register_health_source
from whatsapp_health.checks import SESSION_CHECK_KIND
from whatsapp_health.models import SessionStatus, WhatsAppSession
from whatsapp_health.runs import session_check_run
from whatsapp_health.selectors import sessions_visible_to


def whatsapp_rows(user: User, month: date) -> list[HealthRow]:
    if not user.has_perm("whatsapp_health.view_whatsappsession"):
        return []
    sessions = sessions_visible_to(user).exclude(status=SessionStatus.ARCHIVED).order_by("name", "pk")
    return [
        HealthRow(
            key=f"whatsapp:{session.pk}",
            label=session.name,
            subject=session,
            link=reverse("admin:whatsapp_health_whatsappsession_change", args=[session.pk]),
            detail=" · ".join(
                part
                for part in (session.get_provider_display(), session.instance, session.get_status_display())
                if part
            ),
        )
        for session in sessions
    ]


def whatsapp_rerun(row: HealthRow, kind: str, requester: Requester) -> Execution:
    session = row.subject
    assert isinstance(session, WhatsAppSession)  # noqa: S101 - the rows above are sessions
    return session_check_run(
        session,
        force=True,
        trigger=Trigger.MANUAL,
        user=requester.user,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )


register_health_source(
    HealthSource(
        "whatsapp",
        _("Sessões do WhatsApp"),
        kinds=(SESSION_CHECK_KIND,),
        rows=whatsapp_rows,
        rerun=whatsapp_rerun,
        rerun_permission="whatsapp_health.sync_whatsappsession",
        order=50,
    )
)
