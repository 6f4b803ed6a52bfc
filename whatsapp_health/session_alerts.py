"""Alerts of sessions out of service: one per session and owner, all in one group, so a provider outage that
drops 80 sessions reaches each person as one message; the session's return resolves them.

Owners: the session's explicit `owner` when it has one (and is active), else every active user of its company;
a session with neither raises one alert without owner (it reaches whoever takes alerts of every object)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.models import Alert, AlertKind, AlertStatus, Severity, User
from orchestration.services.alerts import alert_raise, alert_resolve
from whatsapp_health.models import SessionStatus, WhatsAppSession

GROUP = "whatsapp:sessions"
FINGERPRINT_PREFIX = "whatsapp:session:"
_DOWN = (SessionStatus.DISCONNECTED, SessionStatus.QR_REQUIRED, SessionStatus.FAILED)


def session_fingerprint_prefix(session: WhatsAppSession) -> str:
    return f"{FINGERPRINT_PREFIX}{session.pk}:"


def session_owners(session: WhatsAppSession) -> list[User]:
    if session.owner_id is not None and session.owner is not None and session.owner.is_active:
        return [session.owner]
    if session.company_id is not None:
        return list(User.objects.filter(company_id=session.company_id, is_active=True).order_by("pk"))
    return []


def open_session_fingerprints() -> set[str]:
    """Fingerprints of the open session alerts, read once per check instead of once per session."""
    return set(
        Alert.objects.filter(status=AlertStatus.OPEN, fingerprint__startswith=FINGERPRINT_PREFIX).values_list(
            "fingerprint", flat=True
        )
    )


def _resolve(session: WhatsAppSession, open_fingerprints: set[str] | None, keep: str = "") -> None:
    prefix = session_fingerprint_prefix(session)
    if open_fingerprints is None:
        open_fingerprints = set(
            Alert.objects.filter(status=AlertStatus.OPEN, fingerprint__startswith=prefix).values_list(
                "fingerprint", flat=True
            )
        )
    for fingerprint in open_fingerprints:
        if fingerprint.startswith(prefix) and not (keep and fingerprint.startswith(keep)):
            alert_resolve(fingerprint=fingerprint)


def session_alerts_update(
    session: WhatsAppSession, *, now: datetime | None = None, open_fingerprints: set[str] | None = None
) -> None:
    """Raises (or counts again) the alerts of a session down for longer than
    WHATSAPP_DISCONNECTED_ALERT_MINUTES, resolves them when it is CONNECTED again or archived. CONNECTING
    changes nothing: it is not back until it connects."""
    now = now or timezone.now()
    if session.status in (SessionStatus.CONNECTED, SessionStatus.ARCHIVED):
        _resolve(session, open_fingerprints)
        return
    if session.status not in _DOWN or session.down_since is None:
        return
    if now - session.down_since < timedelta(minutes=settings.WHATSAPP_DISCONNECTED_ALERT_MINUTES):
        return
    qr = session.status == SessionStatus.QR_REQUIRED
    condition = f"{session_fingerprint_prefix(session)}{'qr' if qr else 'down'}:"
    _resolve(session, open_fingerprints, keep=condition)  # it went from one kind of down to the other
    since = timezone.localtime(session.down_since).strftime("%d/%m/%Y %H:%M")
    if qr:
        title = _("WhatsApp “%(name)s” pede um novo QR code: pareie o telefone de novo") % {"name": session.name}
        details = _(
            "A sessão %(instance)s (%(phone)s) aguarda a leitura do QR code desde %(since)s. Abra o aplicativo "
            "do WhatsApp no telefone, em Aparelhos conectados, e leia o QR code do provedor."
        )
    else:
        title = _("WhatsApp “%(name)s” está fora do ar (%(status)s)") % {
            "name": session.name,
            "status": session.get_status_display(),
        }
        details = _("A sessão %(instance)s (%(phone)s) está fora do ar desde %(since)s. Último erro: %(error)s")
    details = details % {
        "instance": session.instance,
        "phone": session.phone or "-",
        "since": since,
        "error": session.last_check_error or "-",
    }
    owners: list[User | None] = [*session_owners(session)] or [None]
    for owner in owners:
        alert_raise(
            fingerprint=f"{condition}{owner.pk if owner else 0}",
            group=GROUP,
            group_title=_("WhatsApp: %(count)d sessões fora do ar"),
            severity=Severity.WARNING,
            kind=AlertKind.REAUTHORIZATION if qr else AlertKind.FAILURE,
            title=title,
            details=details,
            subject=session,
            owner=owner,
            now=now,
        )
