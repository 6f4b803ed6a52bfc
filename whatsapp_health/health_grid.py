"""WhatsApp on the health grid: a row per session the viewer may see (selectors.sessions_visible_to); its cell
is the session's real-status check, read from what the checks store on the session (the scheduled check asks
every session's provider inside one run, so the ledger has no execution per session for it); re-running one
checks that session at its provider now."""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orchestration.models import Execution, ExecutionStatus, Trigger, User
from orchestration.registries.console import (
    CellReading,
    HealthRow,
    HealthSource,
    Requester,
    register_health_source,
)
from orchestration.services.executions import ACTIVE_STATUSES
from whatsapp_health.checks import CHECK_KIND, SESSION_CHECK_KIND
from whatsapp_health.models import CheckOutcome, SessionStatus, WhatsAppSession
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


def whatsapp_cells(rows: list[HealthRow]) -> dict[str, dict[str, CellReading]]:
    """Each session's last check (outcome, last success, failures in a row) and the newest run that checked it:
    its own one-session check or the latest every-session check, whichever is newer. Three queries."""
    sessions = {row.key: row.subject for row in rows if isinstance(row.subject, WhatsAppSession)}
    fresh = WhatsAppSession.objects.in_bulk([session.pk for session in sessions.values()])
    own = dict(
        Execution.objects.filter(
            kind=SESSION_CHECK_KIND,
            subject_type=ContentType.objects.get_for_model(WhatsAppSession),
            subject_id__in=[str(pk) for pk in fresh],
        )
        .values("subject_id")
        .annotate(latest=Max("id"))
        .values_list("subject_id", "latest")
    )
    every = Execution.objects.filter(kind=CHECK_KIND).order_by("-created_at", "-id").values_list("id", flat=True)[:1]
    ids = {*own.values(), *every}
    statuses = dict(Execution.objects.filter(pk__in=ids).values_list("id", "status"))
    readings: dict[str, dict[str, CellReading]] = {}
    for key, session in sessions.items():
        session = fresh.get(session.pk, session)
        latest = max((pk for pk in (own.get(str(session.pk)), *every) if pk is not None), default=None)
        if latest is not None and statuses.get(latest) in ACTIVE_STATUSES:
            status = statuses[latest]
        elif session.last_check_outcome == CheckOutcome.OK:
            status = ExecutionStatus.SUCCEEDED
        elif session.last_check_outcome == CheckOutcome.FAILED:
            status = ExecutionStatus.FAILED
        else:
            status, latest = "", None  # never checked
        failed = session.last_check_outcome == CheckOutcome.FAILED
        readings[key] = {
            SESSION_CHECK_KIND: CellReading(
                latest_id=latest,
                latest_status=status,
                last_success_at=session.last_check_ok_at,
                streak=session.consecutive_failures if failed else 0,
            )
        }
    return readings


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
        read_cells=whatsapp_cells,
    )
)
