"""An appointment as a Google event: the template (title, description, reminders) and the fingerprint of what
both sides own (start and duration), so a listed event that changed nothing of it is recognised."""

import hashlib
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from calendar_sync.clients.google_calendar_records import EventDraft
from calendar_sync.models import Appointment, GoogleCalendarIntegration


def event_title(appointment: Appointment, integration: GoogleCalendarIntegration) -> str:
    title = f"{appointment.service} - {appointment.client_name}"
    prefix = integration.event_prefix.strip()
    return f"{prefix} {title}" if prefix else title


def event_description(appointment: Appointment, integration: GoogleCalendarIntegration) -> str:
    lines = [
        _("Serviço: %(service)s") % {"service": appointment.service},
        _("Duração: %(minutes)d min") % {"minutes": appointment.duration_minutes},
    ]
    if integration.include_client_info:
        lines.append(_("Cliente: %(name)s") % {"name": appointment.client_name})
        if appointment.client_phone:
            lines.append(_("Telefone: %(phone)s") % {"phone": appointment.client_phone})
        if appointment.client_email:
            lines.append(_("Email: %(email)s") % {"email": appointment.client_email})
    professional = appointment.professional
    lines.append(_("Profissional: %(name)s") % {"name": professional.name or professional.email})
    lines.append(_("Status: %(status)s") % {"status": appointment.get_status_display()})
    if integration.include_notes and appointment.notes.strip():
        lines.append(_("Observações: %(notes)s") % {"notes": appointment.notes.strip()})
    return "\n".join(lines)


def event_draft(appointment: Appointment, integration: GoogleCalendarIntegration, *, event_id: str = "") -> EventDraft:
    reminders = tuple(int(minutes) for minutes in (integration.reminder_minutes or []))
    return EventDraft(
        id=event_id or appointment.event_id,
        summary=event_title(appointment, integration),
        description=event_description(appointment, integration),
        start=appointment.start,
        end=appointment.start + timedelta(minutes=appointment.duration_minutes),
        time_zone=integration.timezone or "America/Sao_Paulo",
        app_id=str(appointment.uid),
        reminder_minutes=reminders,
    )


def times_fingerprint(start: datetime | None, duration_minutes: int | None) -> str:
    if start is None or duration_minutes is None:
        return ""
    text = f"{start.astimezone(UTC).replace(microsecond=0).isoformat()}|{duration_minutes}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def appointment_fingerprint(appointment: Appointment) -> str:
    return times_fingerprint(appointment.start, appointment.duration_minutes)
