"""From Google: an incremental list with the stored sync token (a full list, from the window's start, when there
is none or Google answers 410), each page applied in its own transaction, the next sync token stored with
the last page.

An event is ours when its private extended property names one of the professional's appointments; other
events of the calendar are left alone. A listed event whose etag is the one we stored is our own write
coming back (no echo); one whose start and duration are what we have changed nothing we sync.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from calendar_sync.clients.google_calendar import GoogleCalendarClient
from calendar_sync.clients.google_calendar_records import CalendarEvent, SyncTokenExpiredError
from calendar_sync.models import Appointment, GoogleCalendarIntegration, LogDirection, LogStatus
from calendar_sync.reconcile import apply_remote, remote_changed, settle_conflict
from calendar_sync.sync_log import SyncLogBuffer
from orchestration.outbound import LogFn

PAGE_SIZE = 250


@dataclass
class PullResult:
    pages: int = 0
    listed: int = 0
    applied: int = 0
    echoes: int = 0
    foreign: int = 0
    conflicts: int = 0
    full_resync: bool = False


def _uid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _appointments_for(integration: GoogleCalendarIntegration, events: list[CalendarEvent]) -> dict[str, Appointment]:
    """Event id → appointment, found by the private property (the link that survives everything) or, for
    entries that carry no properties (deleted ones), by the event id we stored."""
    mine = Appointment.objects.filter(professional_id=integration.user_id, company_id=integration.user.company_id or 0)
    uids = [uid for event in events if (uid := _uid(event.app_id))]
    by_uid = {str(a.uid): a for a in mine.filter(uid__in=uids).select_related("professional")} if uids else {}
    found: dict[str, Appointment] = {}
    missing = []
    for event in events:
        appointment = by_uid.get(event.app_id) if event.app_id else None
        if appointment is not None:
            found[event.id] = appointment
        else:
            missing.append(event.id)
    if missing:
        for appointment in mine.filter(google_event_id__in=missing).select_related("professional"):
            found[appointment.google_event_id] = appointment
    return found


def pull_changes(
    *,
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    log: SyncLogBuffer,
    atomic: Callable[[], AbstractContextManager[None]],
    time_min: datetime,
    say: LogFn | None = None,
) -> PullResult:
    result = PullResult()
    sync_token = integration.sync_token
    page_token = ""
    while True:
        try:
            page = client.events_page(
                integration.calendar_id,
                sync_token=sync_token,
                page_token=page_token,
                time_min=None if sync_token else time_min,
                max_results=PAGE_SIZE,
                zone=integration.timezone,
            )
        except SyncTokenExpiredError:
            if not sync_token:
                raise
            if say is not None:
                say("O Google invalidou o token de sincronização (410): leitura completa da agenda.", "WARNING")
            sync_token, page_token, result.full_resync = "", "", True
            GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(sync_token="")
            continue
        result.pages += 1
        result.listed += len(page.events)
        with atomic():
            _apply_page(client, integration, page.events, log, result)
            log.flush()
            if page.next_sync_token:
                integration.sync_token = page.next_sync_token
                integration.last_sync_at = timezone.now()
                GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
                    sync_token=page.next_sync_token, last_sync_at=integration.last_sync_at
                )
        if not page.next_page_token:
            return result
        page_token = page.next_page_token


def _apply_page(
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    events: list[CalendarEvent],
    log: SyncLogBuffer,
    result: PullResult,
) -> None:
    appointments = _appointments_for(integration, events)
    for event in events:
        appointment = appointments.get(event.id)
        if appointment is None:
            result.foreign += 1
            continue
        if not remote_changed(appointment, event):
            result.echoes += 1
            if event.etag and event.etag != appointment.google_etag and not event.cancelled:
                # An edit of fields we do not sync (title, description): remember the etag, apply nothing.
                Appointment.objects.filter(pk=appointment.pk).update(google_etag=event.etag)
                appointment.google_etag = event.etag
            continue
        if not event.cancelled and (event.start is None or event.duration_minutes is None):
            result.foreign += 1  # no usable start/end (a malformed entry): nothing we could apply
            continue
        if event.recurring:
            log.add(
                direction=LogDirection.FROM_GOOGLE,
                action="update",
                status=LogStatus.SKIPPED,
                appointment=appointment,
                event_id=event.id,
                error="evento recorrente no Google",
            )
            continue
        if appointment.changed_locally or appointment.sync_conflict:
            outcome = settle_conflict(
                client=client, integration=integration, appointment=appointment, event=event, log=log
            )
            result.conflicts += 1 if outcome == "manual" else 0
            result.applied += 1 if outcome in ("google", "local") else 0
            continue
        action = apply_remote(appointment, event)
        result.applied += 1
        log.add(
            direction=LogDirection.FROM_GOOGLE,
            action=action,
            status=LogStatus.SUCCESS,
            appointment=appointment,
            event_id=event.id,
        )
