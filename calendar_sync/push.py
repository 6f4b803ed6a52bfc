"""To Google: appointments become events, in batch requests of up to GOOGLE_CALENDAR_BATCH_SIZE calls.

Creates carry the event id we choose (`Appointment.event_id`), so a retried insert answers 409 and never
makes a second event; updates carry the etag we last saw (If-Match), so a change made in Google meanwhile
answers 412 and goes to conflict settling instead of being overwritten. A failure on one appointment is
logged and the rest go on.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet

from calendar_sync.clients.google_calendar import GoogleCalendarClient
from calendar_sync.clients.google_calendar_records import (
    BatchOperation,
    DuplicateEventError,
    EventGoneError,
    PreconditionFailedError,
)
from calendar_sync.events import event_draft
from calendar_sync.models import (
    Appointment,
    AppointmentStatus,
    GoogleCalendarIntegration,
    LogAction,
    LogDirection,
    LogStatus,
)
from calendar_sync.reconcile import record_deleted, record_pushed, settle_conflict
from calendar_sync.sync_log import SyncLogBuffer
from orchestration.outbound import ExternalApiError


@dataclass
class PushResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: int = 0
    conflicts: int = 0


def appointments_to_push(
    integration: GoogleCalendarIntegration, *, start: datetime, end: datetime, everything: bool = False
) -> QuerySet[Appointment]:
    """The professional's appointments Google does not have as they are: those already in Google and changed
    since, and those of the window never sent (an old appointment is not sent just because the professional
    connected today). `everything` takes every appointment of the window as well (a full resync)."""
    # A professional without a company has no appointments: nothing of another company is ever pushed.
    mine = Appointment.objects.filter(professional_id=integration.user_id, company_id=integration.user.company_id or 0)
    in_window = Q(start__gte=start, start__lt=end)
    changed_in_google = Q(revision__gt=F("synced_revision")) & ~Q(google_event_id="")
    never_sent = in_window & Q(google_event_id="") & ~Q(status=AppointmentStatus.CANCELLED)
    wanted = changed_in_google | never_sent
    if everything:
        wanted |= in_window
    return mine.filter(wanted).select_related("professional").order_by("start", "id")


def _operation(appointment: Appointment, integration: GoogleCalendarIntegration) -> BatchOperation | None:
    key = str(appointment.pk)
    if appointment.status == AppointmentStatus.CANCELLED:
        if not appointment.google_event_id:
            return None
        # Cancelling here is a decision: the event goes even if it was edited in Google meanwhile.
        return BatchOperation(key=key, method="delete", event_id=appointment.google_event_id)
    draft = event_draft(appointment, integration)
    if not appointment.google_event_id:
        return BatchOperation(key=key, method="insert", draft=draft)
    return BatchOperation(
        key=key, method="patch", draft=draft, event_id=appointment.google_event_id, etag=appointment.google_etag
    )


def push_appointments(
    *,
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    appointments: Iterable[Appointment],
    log: SyncLogBuffer,
    commit: Callable[[], object] | None = None,
    chunk_size: int = 1000,
) -> PushResult:
    result = PushResult()
    chunk: list[Appointment] = []
    for appointment in appointments:
        chunk.append(appointment)
        if len(chunk) >= chunk_size:
            _push_chunk(client, integration, chunk, log, result, commit)
            chunk = []
    if chunk:
        _push_chunk(client, integration, chunk, log, result, commit)
    return result


def _push_chunk(
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    appointments: list[Appointment],
    log: SyncLogBuffer,
    result: PushResult,
    commit: Callable[[], object] | None,
) -> None:
    operations: list[BatchOperation] = []
    by_key: dict[str, tuple[Appointment, int]] = {}
    for appointment in appointments:
        if appointment.sync_conflict:
            result.skipped += 1
            log.add(
                direction=LogDirection.TO_GOOGLE,
                action=LogAction.UPDATE,
                status=LogStatus.SKIPPED,
                appointment=appointment,
                event_id=appointment.google_event_id,
                error=appointment.sync_conflict,
            )
            continue
        operation = _operation(appointment, integration)
        if operation is None:
            record_deleted(appointment, revision=appointment.revision)
            continue
        operations.append(operation)
        by_key[operation.key] = (appointment, appointment.revision)
    outcomes = client.events_batch(integration.calendar_id, operations) if operations else []
    for operation, outcome in zip(operations, outcomes, strict=True):
        appointment, revision = by_key[operation.key]
        try:
            _settle(client, integration, appointment, revision, operation, outcome.event, outcome.error, log, result)
        except ExternalApiError as error:
            result.errors += 1
            log.add(
                direction=LogDirection.TO_GOOGLE,
                action=_action(operation),
                status=LogStatus.ERROR,
                appointment=appointment,
                event_id=operation.event_id or appointment.event_id,
                error=str(error),
            )
    log.flush()
    if commit is not None:
        commit()


def _action(operation: BatchOperation) -> str:
    return {"insert": LogAction.CREATE, "patch": LogAction.UPDATE, "delete": LogAction.DELETE}[operation.method]


def _settle(
    client: GoogleCalendarClient,
    integration: GoogleCalendarIntegration,
    appointment: Appointment,
    revision: int,
    operation: BatchOperation,
    event: object,
    error: Exception | None,
    log: SyncLogBuffer,
    result: PushResult,
) -> None:
    action = _action(operation)
    event_id = operation.event_id or appointment.event_id
    if error is None or (operation.method == "delete" and isinstance(error, EventGoneError)):
        if operation.method == "delete":
            record_deleted(appointment, revision=revision)
            result.deleted += 1
        else:
            record_pushed(appointment, event, revision=revision)  # type: ignore[arg-type]
            if operation.method == "insert":
                result.created += 1
            else:
                result.updated += 1
        log.add(
            direction=LogDirection.TO_GOOGLE,
            action=action,
            status=LogStatus.SUCCESS,
            appointment=appointment,
            event_id=event_id,
        )
        return
    if isinstance(error, DuplicateEventError):
        # An earlier attempt created it (the answer was lost): take it over instead of making another.
        existing = client.event_get(integration.calendar_id, appointment.event_id)
        if existing.app_id == str(appointment.uid) and not existing.cancelled:
            written = client.event_patch(
                integration.calendar_id, existing.id, event_draft(appointment, integration), etag=existing.etag
            )
            record_pushed(appointment, written, revision=revision)
            result.updated += 1
            log.add(
                direction=LogDirection.TO_GOOGLE,
                action=LogAction.UPDATE,
                status=LogStatus.SUCCESS,
                appointment=appointment,
                event_id=written.id,
            )
            return
        raise error
    if isinstance(error, PreconditionFailedError | EventGoneError):
        # Changed (or deleted) in Google since our last sync, and changed here too: a conflict.
        current = client.event_get(integration.calendar_id, event_id)
        if current.etag == appointment.google_etag:
            raise error
        outcome = settle_conflict(
            client=client, integration=integration, appointment=appointment, event=current, log=log
        )
        if outcome == "manual":
            result.conflicts += 1
        elif outcome == "error":
            result.errors += 1
        else:
            result.updated += 1
        return
    raise error
