"""Writes to sessions outside the checks: registration (with the one-default-per-company rule), archiving
and restoring by hand."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.models import User
from whatsapp_health.models import SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.status import SESSION_MACHINE, session_status_set

EDITABLE_FIELDS = (
    "name",
    "provider",
    "base_url",
    "api_key",
    "webhook_secret",
    "instance",
    "phone",
    "company",
    "owner",
    "is_default",
)


def session_save(session: WhatsAppSession, **fields: Any) -> WhatsAppSession:
    """Creates or updates a session. Marking it default unmarks the company's previous default. A blank
    `api_key` / `webhook_secret` on an existing session keeps the stored one."""
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {name}")
        if name in ("api_key", "webhook_secret") and session.pk and not value:
            continue
        setattr(session, name, value)
    if not session.api_key:
        raise ValidationFailed(_("Informe a chave de API da sessão."))
    with transaction.atomic():
        if session.is_default:
            # Unmarked first: the database allows one default per company.
            WhatsAppSession.objects.filter(company=session.company, is_default=True).exclude(pk=session.pk).update(
                is_default=False
            )
        session.save()
    return session


def session_archive(session: WhatsAppSession, *, user: User | None = None) -> WhatsAppSession:
    """Archives by hand: no longer checked, history kept. IllegalTransition (409) if already archived."""
    SESSION_MACHINE.check(session.status, SessionStatus.ARCHIVED)
    who = f" por {user}" if user is not None and user.is_authenticated else ""
    session_status_set(session, to=SessionStatus.ARCHIVED, source=TransitionSource.MANUAL, reason=f"arquivada{who}")
    return session


def session_restore(session: WhatsAppSession, *, user: User | None = None) -> WhatsAppSession:
    """Brings an archived session back to the checks (as CONNECTING until the next check tells its state)."""
    if session.status != SessionStatus.ARCHIVED:
        raise SESSION_MACHINE.error(session.status, SessionStatus.CONNECTING)
    who = f" por {user}" if user is not None and user.is_authenticated else ""
    session_status_set(session, to=SessionStatus.CONNECTING, source=TransitionSource.MANUAL, reason=f"restaurada{who}")
    return session
