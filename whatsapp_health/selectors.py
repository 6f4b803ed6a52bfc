"""Reads of sessions: what a user may see (their company's, or all for people of no company and
administrators), the sessions a check covers, and the default session."""

from django.db.models import Q, QuerySet

from orchestration.models import User
from whatsapp_health.exceptions import SessionNotFound
from whatsapp_health.models import SessionStatus, WhatsAppSession


def sessions_visible_to(user: User | None) -> QuerySet[WhatsAppSession]:
    sessions = WhatsAppSession.objects.select_related("company", "owner")
    if user is None or not getattr(user, "is_authenticated", False):
        return sessions.none()
    if user.is_superuser or user.company_id is None:
        return sessions.all()
    return sessions.filter(Q(company_id=user.company_id) | Q(owner_id=user.pk))


def sessions_to_check() -> QuerySet[WhatsAppSession]:
    """Every session that is not archived (archived ones keep their history and are never polled)."""
    return WhatsAppSession.objects.exclude(status=SessionStatus.ARCHIVED).order_by("pk")


def session_for(user: User | None, session_id: object = None) -> WhatsAppSession:
    """The session `session_id` if the user may see it, else the default one (of the user's company
    first). SessionNotFound (404) otherwise."""
    sessions = sessions_visible_to(user)
    if session_id not in (None, ""):
        try:
            return sessions.get(pk=int(str(session_id)))
        except (ValueError, WhatsAppSession.DoesNotExist) as error:
            raise SessionNotFound(session_id) from error
    defaults = sessions.filter(is_default=True).exclude(status=SessionStatus.ARCHIVED)
    company_id = getattr(user, "company_id", None)
    session = (defaults.filter(company_id=company_id).first() if company_id else None) or defaults.order_by(
        "company_id", "pk"
    ).first()
    if session is None:
        raise SessionNotFound(None)
    return session
