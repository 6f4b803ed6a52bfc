"""What a sync records on an appointment, and how a conflict (both sides changed since the last sync) is
settled under the integration's `conflict_resolution`.

These writes never touch `revision`: only people change an appointment's revision, so nothing the sync
writes is pushed back (no ping-pong). Each write records the event's etag and fingerprint, so the same
event listed again later (our own write coming back through the sync token) is recognised and skipped.
"""

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from calendar_sync.clients.google_calendar import GoogleCalendarClient
from calendar_sync.clients.google_calendar_records import CalendarEvent
from calendar_sync.events import appointment_fingerprint, event_draft, times_fingerprint
from calendar_sync.models import (
    Appointment,
    AppointmentStatus,
    ConflictResolution,
    GoogleCalendarIntegration,
    LogAction,
    LogDirection,
    LogStatus,
)
from calendar_sync.sync_log import SyncLogBuffer
from orchestration.outbound import ExternalApiError


def record_pushed(appointment: Appointment, event: CalendarEvent, *, revision: int) -> None:
    """Google now has `revision` of the appointment, as `event`."""
    appointment.google_event_id = event.id
    appointment.google_etag = event.etag
    appointment.google_fingerprint = appointment_fingerprint(appointment)
    appointment.synced_revision = revision
    appointment.synced_at = timezone.now()
    appointment.sync_conflict = ""
    Appointment.objects.filter(pk=appointment.pk).update(
        google_event_id=event.id,
        google_etag=event.etag,
        google_fingerprint=appointment.google_fingerprint,
        synced_revision=revision,
        synced_at=appointment.synced_at,
        sync_conflict="",
    )


def record_deleted(appointment: Appointment, *, revision: int, etag: str = "") -> None:
    appointment.google_etag = etag
    appointment.synced_revision = revision
    appointment.synced_at = timezone.now()
    Appointment.objects.filter(pk=appointment.pk).update(
        google_etag=etag, synced_revision=revision, synced_at=appointment.synced_at, sync_conflict=""
    )


def remote_changed(appointment: Appointment, event: CalendarEvent) -> bool:
    """False when `event` is what we last wrote or accepted (our own echo, or an edit of fields we ignore)."""
    if event.etag and event.etag == appointment.google_etag:
        return False
    if event.cancelled:
        return appointment.status != AppointmentStatus.CANCELLED
    return times_fingerprint(event.start, event.duration_minutes) != appointment.google_fingerprint


def apply_remote(appointment: Appointment, event: CalendarEvent) -> str:
    """Takes Google's version: the new start and duration, or the cancellation. Returns the log action."""
    now = timezone.now()
    fields: dict[str, object] = {
        "google_etag": event.etag,
        "google_event_id": event.id,
        "synced_revision": F("revision"),
        "synced_at": now,
        "sync_conflict": "",
    }
    if event.cancelled:
        fields["status"] = AppointmentStatus.CANCELLED
        action = LogAction.DELETE
    else:
        fields["start"] = event.start
        fields["duration_minutes"] = event.duration_minutes
        fields["google_fingerprint"] = times_fingerprint(event.start, event.duration_minutes)
        action = LogAction.UPDATE
    Appointment.objects.filter(pk=appointment.pk).update(**fields)
    appointment.refresh_from_db()
    return action


def describe_remote(event: CalendarEvent) -> str:
    if event.cancelled:
        return _("o evento foi excluído no Google")
    start = timezone.localtime(event.start) if event.start else None
    when = date_format(start, "SHORT_DATETIME_FORMAT") if start else "?"
    return _("no Google o evento está em %(when)s (%(minutes)s min)") % {
        "when": when,
        "minutes": event.duration_minutes or "?",
    }


def push_over(
    client: GoogleCalendarClient, integration: GoogleCalendarIntegration, appointment: Appointment, event: CalendarEvent
) -> CalendarEvent | None:
    """Writes our version over Google's `event` (its current etag, so a change in between is still caught).
    A cancelled appointment deletes the event; an event deleted in Google is created again under a new id."""
    revision = appointment.revision
    if appointment.status == AppointmentStatus.CANCELLED:
        if not event.cancelled:
            client.event_delete(integration.calendar_id, event.id, etag=event.etag)
        record_deleted(appointment, revision=revision)
        return None
    if event.cancelled:
        new_id = f"orq{appointment.uid.hex}r{revision}"
        written = client.event_insert(integration.calendar_id, event_draft(appointment, integration, event_id=new_id))
    else:
        written = client.event_patch(
            integration.calendar_id, event.id, event_draft(appointment, integration), etag=event.etag
        )
    record_pushed(appointment, written, revision=revision)
    return written


def settle_conflict(
    *,
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    appointment: Appointment,
    event: CalendarEvent,
    log: SyncLogBuffer,
) -> str:
    """Both sides changed. Returns what happened: "google", "local" or "manual" (left for a person)."""
    setting = integration.conflict_resolution
    remote = describe_remote(event)
    if setting == ConflictResolution.GOOGLE_WINS:
        action = apply_remote(appointment, event)
        log.add(
            direction=LogDirection.FROM_GOOGLE,
            action=action,
            status=LogStatus.SUCCESS,
            appointment=appointment,
            event_id=event.id,
            error=_("Conflito: alterado nos dois lados; o Google prevaleceu (%(remote)s).") % {"remote": remote},
        )
        return "google"
    if setting == ConflictResolution.LOCAL_WINS:
        try:
            written = push_over(client, integration, appointment, event)
        except ExternalApiError as error:
            log.add(
                direction=LogDirection.TO_GOOGLE,
                action=LogAction.UPDATE,
                status=LogStatus.ERROR,
                appointment=appointment,
                event_id=event.id,
                error=str(error),
            )
            return "error"
        log.add(
            direction=LogDirection.TO_GOOGLE,
            action=LogAction.DELETE if written is None else LogAction.UPDATE,
            status=LogStatus.SUCCESS,
            appointment=appointment,
            event_id=written.id if written else event.id,
            error=_("Conflito: alterado nos dois lados; o Orquestra prevaleceu (%(remote)s).") % {"remote": remote},
        )
        return "local"
    text = _(
        "Alterado nos dois lados desde a última sincronização: aqui (revisão %(revision)d) e %(remote)s. "
        "Nada foi aplicado; escolha qual versão manter."
    ) % {"revision": appointment.revision, "remote": remote}
    appointment.sync_conflict = text
    Appointment.objects.filter(pk=appointment.pk).update(sync_conflict=text)
    log.add(
        direction=LogDirection.FROM_GOOGLE,
        action=LogAction.DELETE if event.cancelled else LogAction.UPDATE,
        status=LogStatus.SKIPPED,
        appointment=appointment,
        event_id=event.id,
        error=text,
    )
    return "manual"


def push_window(integration: GoogleCalendarIntegration) -> tuple[datetime, datetime]:
    now = timezone.now()
    return now - timedelta(days=integration.sync_past_days), now + timedelta(days=integration.sync_future_days)
