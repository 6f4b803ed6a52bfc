"""Typed records and errors of the Google Calendar client: what crosses the client's boundary."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from orchestration.outbound import AuthError, ClientError, NotFoundError

# Private extended property that links an event to its appointment (only this calendar's copy sees it).
APP_ID_PROPERTY = "orquestra_appointment"


class GrantRevokedError(AuthError):
    """The token endpoint answered invalid_grant: the user revoked access or the refresh token expired.
    Only a new authorization fixes it; never retried."""

    reason = "recusou a autorização (invalid_grant: acesso revogado ou expirado)"


class SyncTokenExpiredError(ClientError):
    """410 on a list with a sync token (fullSyncRequired): list everything again without the token."""

    reason = "invalidou o token de sincronização (410)"


class DuplicateEventError(ClientError):
    """409 duplicate: an event with the id we chose already exists (a retried insert)."""

    reason = "já tem um evento com este id (409)"


class PreconditionFailedError(ClientError):
    """412 conditionNotMet: the event changed since the etag we sent."""

    reason = "recusou a escrita: o evento mudou desde a última leitura (412)"


class EventGoneError(NotFoundError):
    """404 or 410 on one event: it does not exist (any more)."""

    reason = "não tem mais este evento"


@dataclass(frozen=True)
class GoogleTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarEntry:
    id: str
    summary: str
    primary: bool
    access_role: str
    time_zone: str


@dataclass(frozen=True)
class CalendarEvent:
    id: str
    status: str  # confirmed | tentative | cancelled
    etag: str
    summary: str = ""
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    updated: datetime | None = None
    app_id: str = ""
    recurring: bool = False

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def duration_minutes(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return max(1, round((self.end - self.start).total_seconds() / 60))


@dataclass(frozen=True)
class EventPage:
    events: list[CalendarEvent]
    next_page_token: str = ""
    next_sync_token: str = ""


@dataclass(frozen=True)
class EventDraft:
    """An event as we write it. `id` is sent on insert only."""

    id: str
    summary: str
    description: str
    start: datetime
    end: datetime
    time_zone: str
    app_id: str
    reminder_minutes: tuple[int, ...] = ()

    def body(self, *, with_id: bool) -> dict[str, Any]:
        zone = ZoneInfo(self.time_zone)
        body: dict[str, Any] = {
            "summary": self.summary,
            "description": self.description,
            "start": {"dateTime": self.start.astimezone(zone).isoformat(), "timeZone": self.time_zone},
            "end": {"dateTime": self.end.astimezone(zone).isoformat(), "timeZone": self.time_zone},
            "status": "confirmed",
            "extendedProperties": {"private": {APP_ID_PROPERTY: self.app_id}},
            "reminders": {
                "useDefault": not self.reminder_minutes,
                "overrides": [{"method": "popup", "minutes": minutes} for minutes in self.reminder_minutes],
            },
        }
        if with_id:
            body["id"] = self.id
        return body


@dataclass(frozen=True)
class BatchOperation:
    """One call of a batch: insert (draft), patch (draft + etag) or delete (event_id + etag)."""

    key: str
    method: str  # insert | patch | delete
    draft: EventDraft | None = None
    event_id: str = ""
    etag: str = ""


@dataclass
class BatchOutcome:
    key: str
    event: CalendarEvent | None = None
    error: Exception | None = None


@dataclass(frozen=True)
class WatchChannel:
    id: str
    resource_id: str
    expires_at: datetime | None
    token: str = field(default="", repr=False)


def parse_instant(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _event_time(data: Any, zone: str) -> datetime | None:
    if not isinstance(data, dict):
        return None
    if data.get("dateTime"):
        return parse_instant(data["dateTime"])
    if data.get("date"):  # an all-day event: midnight in the calendar's zone
        try:
            day = date.fromisoformat(str(data["date"]))
        except ValueError:
            return None
        return datetime.combine(day, time(), tzinfo=ZoneInfo(data.get("timeZone") or zone))
    return None


def parse_event(data: Any, zone: str = "UTC") -> CalendarEvent | None:
    if not isinstance(data, dict) or not data.get("id"):
        return None
    private = (data.get("extendedProperties") or {}).get("private") or {}
    return CalendarEvent(
        id=str(data["id"]),
        status=str(data.get("status") or "confirmed"),
        etag=str(data.get("etag") or ""),
        summary=str(data.get("summary") or ""),
        description=str(data.get("description") or ""),
        start=_event_time(data.get("start"), zone),
        end=_event_time(data.get("end"), zone),
        updated=parse_instant(data.get("updated")),
        app_id=str(private.get(APP_ID_PROPERTY) or "") if isinstance(private, dict) else "",
        recurring=bool(data.get("recurringEventId") or data.get("recurrence")),
    )


def parse_calendar(data: Any) -> CalendarEntry | None:
    if not isinstance(data, dict) or not data.get("id"):
        return None
    return CalendarEntry(
        id=str(data["id"]),
        summary=str(data.get("summaryOverride") or data.get("summary") or data["id"]),
        primary=bool(data.get("primary")),
        access_role=str(data.get("accessRole") or ""),
        time_zone=str(data.get("timeZone") or ""),
    )
