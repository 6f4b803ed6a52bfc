"""A fake Google Calendar API v3 (and Google's OAuth endpoints) on a real HTTP server, with fault switches.

Paths as Google serves them under one root: `calendar/v3/users/me/calendarList`,
`calendar/v3/calendars/{id}/events[/{eventId}|/watch]`, `calendar/v3/channels/stop`, `batch/calendar/v3`
(multipart/mixed, at most 1000 calls), and `/token`, `/revoke`, `/o/oauth2/auth` for OAuth.
Behaviour our client must meet: Bearer tokens that expire, `nextSyncToken` only on the last page, deleted
events in incremental lists, 400 for a sync token combined with timeMin & co., 410 for a stale sync token,
412 on an If-Match that no longer matches, 409 for an id already used, 410 when deleting a deleted event,
403 rateLimitExceeded / 429 on demand (also inside batches), watch channels.

In pytest: fake = GoogleCalendarFake(); with FakeServer(fake.handle) as server: point GOOGLE_CALENDAR_API_URL
and the GOOGLE_OAUTH_* URLs at server.url (tests/calendar_sync/conftest.py).
Standalone: python -m tests.fakes.google_calendar --port 8104 --demo
"""

import argparse
import json
import random
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from tests.fakes.google_calendar_batch import serve_batch
from tests.fakes.google_oauth import GoogleOAuthFake
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
_EVENTS = re.compile(r"^/calendar/v3/calendars/(?P<calendar>[^/]+)/events(?:/(?P<event>[^/]+))?$")


def google_error(status: int, reason: str, message: str, domain: str = "global") -> FakeResponse:
    body = {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return FakeResponse.json(body, status=status)


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GoogleCalendarFake:
    def __init__(self) -> None:
        self.oauth = GoogleOAuthFake()
        self.calendars: dict[str, dict[str, Any]] = {}  # id → calendarList entry
        self.events: dict[str, dict[str, dict[str, Any]]] = {}  # calendar → event id → stored event
        self.owner: dict[str, str] = {}  # calendar id → e-mail of the owner
        self.channels: dict[str, dict[str, Any]] = {}
        self.seq = 0  # global change counter: etags and sync tokens come from it
        self.token_generation = 1  # sync tokens of an older generation answer 410
        self.page_size_cap = 2500
        self.faults: deque[FakeResponse] = deque()  # next responses of the events/calendar endpoints
        self.batch_part_faults: deque[FakeResponse] = deque()  # next responses of calls inside batches
        self.on_request: Callable[[FakeRequest], None] | None = None
        self.api_calls = 0  # calendar calls, each call inside a batch counted
        self.seen: list[FakeRequest] = []  # every HTTP request, in order (a batch is one)
        self._lock = threading.RLock()

    # --- state helpers -------------------------------------------------------------------------------

    def add_calendar(self, email: str, calendar_id: str = "", summary: str = "", primary: bool = False) -> str:
        calendar_id = calendar_id or email
        with self._lock:
            self.calendars[calendar_id] = {
                "kind": "calendar#calendarListEntry",
                "id": calendar_id,
                "summary": summary or email,
                "timeZone": "America/Sao_Paulo",
                "accessRole": "owner",
                "primary": primary,
            }
            self.owner[calendar_id] = email
            self.events.setdefault(calendar_id, {})
        return calendar_id

    def add_user(self, email: str) -> None:
        """A Google account with its primary calendar and a second one."""
        self.add_calendar(email, summary=email, primary=True)
        self.add_calendar(
            email, calendar_id=f"agenda-{len(self.calendars)}@group.calendar.google.com", summary="Atendimentos"
        )

    def live_events(self, calendar_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events.get(calendar_id, {}).values() if e["status"] != "cancelled"]

    def google_edit(self, calendar_id: str, event_id: str, **changes: Any) -> dict[str, Any]:
        """A change made by the user in Google Calendar (start/end as datetimes, or any event field)."""
        with self._lock:
            event = self.events[calendar_id][event_id]
            for name in ("start", "end"):
                if isinstance(changes.get(name), datetime):
                    changes[name] = {"dateTime": rfc3339(changes[name]), "timeZone": "America/Sao_Paulo"}
            event.update(changes)
            self._touch(event)
            return event

    def google_delete(self, calendar_id: str, event_id: str) -> None:
        with self._lock:
            event = self.events[calendar_id][event_id]
            event["status"] = "cancelled"
            self._touch(event)

    def google_create(self, calendar_id: str, summary: str, start: datetime, minutes: int = 60) -> dict[str, Any]:
        body = {
            "summary": summary,
            "start": {"dateTime": rfc3339(start)},
            "end": {"dateTime": rfc3339(start + timedelta(minutes=minutes))},
        }
        with self._lock:
            return self._store(calendar_id, body, secrets.token_hex(10))

    def expire_sync_tokens(self) -> None:
        with self._lock:
            self.token_generation += 1

    def fail_next(self, status: int, reason: str, count: int = 1, retry_after: str | None = None) -> None:
        for _ in range(count):
            response = google_error(status, reason, f"fault: {reason}")
            if retry_after is not None:
                response.headers["Retry-After"] = retry_after
            self.faults.append(response)

    def fail_batch_parts(self, status: int, reason: str, count: int) -> None:
        for _ in range(count):
            self.batch_part_faults.append(google_error(status, reason, f"fault: {reason}", domain="usageLimits"))

    def notification_headers(self, channel_id: str, state: str = "exists", number: int = 2) -> dict[str, str]:
        channel = self.channels[channel_id]
        return {
            "X-Goog-Channel-ID": channel_id,
            "X-Goog-Channel-Token": channel["token"],
            "X-Goog-Channel-Expiration": time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(channel["expiration"] / 1000)
            ),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(number),
        }

    # --- the handler ---------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.seen.append(request)
        if self.on_request is not None:
            self.on_request(request)
        path = request.path
        if path == "/token" and request.method == "POST":
            return self.oauth.token(request)
        if path == "/revoke" and request.method == "POST":
            return self.oauth.revoke(request)
        if path == "/o/oauth2/auth" and request.method == "GET":
            return self.oauth.consent(request)
        if path == "/batch/calendar/v3" and request.method == "POST":
            if (denied := self._authenticate(request)) is not None:
                return denied
            return serve_batch(request, lambda inner: self._call(inner, in_batch=True))
        return self._call(request, in_batch=False)

    def _call(self, request: FakeRequest, *, in_batch: bool) -> FakeResponse:
        with self._lock:
            self.api_calls += 1
            queue = self.batch_part_faults if in_batch else self.faults
            if queue:
                return queue.popleft()
        if not in_batch and (denied := self._authenticate(request)) is not None:
            return denied
        email = self.oauth.email_for_access_token(_bearer(request))
        if in_batch and email is None:
            return google_error(401, "authError", "Invalid Credentials")
        path, method = request.path, request.method
        if path == "/calendar/v3/users/me/calendarList" and method == "GET":
            return self._calendar_list(email or "")
        if path == "/calendar/v3/channels/stop" and method == "POST":
            with self._lock:
                self.channels.pop(request.json().get("id", ""), None)
            return FakeResponse(204)
        match = _EVENTS.match(path)
        if match is None:
            return google_error(404, "notFound", "Not Found")
        calendar_id, event_id = unquote(match["calendar"]), unquote(match["event"] or "")
        if calendar_id == "primary":
            calendar_id = next(
                (c for c, owner in self.owner.items() if owner == email and self.calendars[c]["primary"]), ""
            )
        if calendar_id not in self.events or self.owner.get(calendar_id) != email:
            return google_error(404, "notFound", "Not Found")
        with self._lock:
            if event_id == "watch" and method == "POST":
                return self._watch(calendar_id, request.json())
            if not event_id:
                return self._list(calendar_id, request) if method == "GET" else self._insert(calendar_id, request)
            return self._one(calendar_id, event_id, request)

    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if self.oauth.email_for_access_token(_bearer(request)) is None:
            return google_error(401, "authError", "Invalid Credentials")
        return None

    def _calendar_list(self, email: str) -> FakeResponse:
        with self._lock:
            items = [entry for cid, entry in self.calendars.items() if self.owner[cid] == email]
        return FakeResponse.json({"kind": "calendar#calendarList", "items": items, "nextSyncToken": "cl-1"})

    def _list(self, calendar_id: str, request: FakeRequest) -> FakeResponse:
        query = request.query
        sync_token, page_token = query.get("syncToken", ""), query.get("pageToken", "")
        if sync_token and any(name in query for name in NOT_WITH_SYNC_TOKEN):
            return google_error(400, "invalid", "Sync token cannot be used with other request restrictions.")
        if sync_token and query.get("showDeleted") == "false":
            return google_error(400, "invalid", "showDeleted=false cannot be used with a sync token.")
        size = min(int(query.get("maxResults") or 250), self.page_size_cap)
        if page_token:
            try:
                snapshot, since, offset, time_min = _decode_page(page_token)
            except ValueError:
                return google_error(400, "invalid", "Invalid page token value.")
        else:
            snapshot, offset, time_min = self.seq, 0, query.get("timeMin", "")
            since = 0
            if sync_token:
                try:
                    generation, since = (int(part) for part in sync_token.removeprefix("st-").split("-"))
                except ValueError:
                    return google_error(400, "invalid", "Invalid sync token value.")
                if generation != self.token_generation:
                    return google_error(
                        410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
                    )
        show_deleted = bool(since) or query.get("showDeleted") == "true"
        rows = sorted(
            (e for e in self.events[calendar_id].values() if since < e["_seq"] <= snapshot),
            key=lambda e: (e["_seq"], e["id"]),
        )
        if not show_deleted:
            rows = [e for e in rows if e["status"] != "cancelled"]
        if time_min and not since:
            bound = _instant(time_min)
            rows = [e for e in rows if e["status"] == "cancelled" or _instant(e["end"].get("dateTime", "")) >= bound]
        page = rows[offset : offset + size]
        body: dict[str, Any] = {
            "kind": "calendar#events",
            "summary": self.calendars[calendar_id]["summary"],
            "timeZone": "America/Sao_Paulo",
            "accessRole": "owner",
            "items": [_public(e) for e in page],
        }
        if offset + size < len(rows):
            body["nextPageToken"] = _encode_page(snapshot, since, offset + size, time_min)
        else:
            body["nextSyncToken"] = f"st-{self.token_generation}-{snapshot}"
        return FakeResponse.json(body)

    def _insert(self, calendar_id: str, request: FakeRequest) -> FakeResponse:
        body = request.json()
        event_id = body.get("id") or secrets.token_hex(13)
        if not EVENT_ID.match(event_id):
            return google_error(400, "invalid", "Invalid resource id value.")
        if event_id in self.events[calendar_id]:
            return google_error(409, "duplicate", "The requested identifier already exists.")
        if not body.get("start") or not body.get("end"):
            return google_error(400, "required", "Missing end time.")
        return FakeResponse.json(_public(self._store(calendar_id, body, event_id)))

    def _one(self, calendar_id: str, event_id: str, request: FakeRequest) -> FakeResponse:
        event = self.events[calendar_id].get(event_id)
        if event is None:
            return google_error(404, "notFound", "Not Found")
        if_match = request.headers.get("if-match")
        if request.method == "GET":
            return FakeResponse.json(_public(event))
        if if_match and if_match != event["etag"]:
            return google_error(412, "conditionNotMet", "Precondition Failed")
        if request.method == "DELETE":
            if event["status"] == "cancelled":
                return google_error(410, "deleted", "Resource has been deleted")
            event["status"] = "cancelled"
            self._touch(event)
            return FakeResponse(204)
        if request.method in ("PATCH", "PUT"):
            if event["status"] == "cancelled" and request.method == "PATCH":
                return google_error(404, "notFound", "Not Found")
            changes = request.json()
            changes.pop("id", None)
            event.update(changes)
            event.setdefault("status", "confirmed")
            event["sequence"] = event.get("sequence", 0) + 1
            self._touch(event)
            return FakeResponse.json(_public(event))
        return google_error(405, "methodNotAllowed", "Method not allowed")

    def _watch(self, calendar_id: str, body: dict[str, Any]) -> FakeResponse:
        if body.get("type") != "web_hook" or not str(body.get("address", "")).startswith(("https://", "http://")):
            return google_error(400, "invalid", "Invalid channel.")
        ttl = int((body.get("params") or {}).get("ttl") or 604800)
        channel = {
            "kind": "api#channel",
            "id": body["id"],
            "resourceId": secrets.token_hex(8),
            "resourceUri": f"https://www.googleapis.com/calendar/v3/calendars/{calendar_id}/events?alt=json",
            "token": body.get("token", ""),
            "expiration": int((time.time() + ttl) * 1000),
            "address": body["address"],
            "calendar": calendar_id,
        }
        self.channels[body["id"]] = channel
        return FakeResponse.json({k: v for k, v in channel.items() if k not in ("address", "calendar")})

    def _store(self, calendar_id: str, body: dict[str, Any], event_id: str) -> dict[str, Any]:
        now = rfc3339(datetime.now(UTC))
        event = {
            "kind": "calendar#event",
            "status": "confirmed",
            "summary": "",
            "description": "",
            **body,
            "id": event_id,
            "created": now,
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "organizer": {"email": self.owner[calendar_id], "self": True},
        }
        self.events[calendar_id][event_id] = event
        self._touch(event)
        return event

    def _touch(self, event: dict[str, Any]) -> None:
        self.seq += 1
        event["_seq"] = self.seq
        event["etag"] = f'"{3181160000000000 + self.seq}"'
        event["updated"] = rfc3339(datetime.now(UTC))


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bearer(request: FakeRequest) -> str:
    value = request.headers.get("authorization", "")
    return value[7:] if value.lower().startswith("bearer ") else ""


def _public(event: dict[str, Any]) -> dict[str, Any]:
    if event["status"] == "cancelled":  # deleted entries carry few fields, as Google's do
        return {
            "kind": "calendar#event",
            "etag": event["etag"],
            "id": event["id"],
            "status": "cancelled",
            "updated": event["updated"],
        }
    return {key: value for key, value in event.items() if not key.startswith("_")}


def _encode_page(snapshot: int, since: int, offset: int, time_min: str) -> str:
    return "pg." + json.dumps([snapshot, since, offset, time_min]).encode().hex()


def _decode_page(token: str) -> tuple[int, int, int, str]:
    snapshot, since, offset, time_min = json.loads(bytes.fromhex(token.removeprefix("pg.")))
    return int(snapshot), int(since), int(offset), str(time_min)


# --- the demo simulator ------------------------------------------------------------------------------

DEMO_EMAIL = "profissional.demo@orquestra.local"


def demo_fake() -> GoogleCalendarFake:
    """Any client id and code accepted; every minute or so the "user" moves one of our events by an hour
    in Google, so the next sync brings the change back; an occasional 429."""
    fake = GoogleCalendarFake()
    fake.oauth.accept_any_client = True
    fake.oauth.accept_any_code = True
    fake.oauth.default_email = DEMO_EMAIL
    fake.add_user(DEMO_EMAIL)
    rng = random.Random(11)
    last = [time.monotonic()]

    def activity(request: FakeRequest) -> None:
        if rng.random() < 0.03 and request.path.startswith("/calendar/"):
            fake.fail_next(429, "rateLimitExceeded", retry_after="1")
        if time.monotonic() - last[0] < 60:
            return
        last[0] = time.monotonic()
        with fake._lock:
            ours = [e for c in fake.events for e in fake.live_events(c) if e.get("extendedProperties")]
            if ours:
                event = rng.choice(ours)
                calendar = next(c for c, events in fake.events.items() if event["id"] in events)
                start = datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00")) + timedelta(hours=1)
                end = datetime.fromisoformat(event["end"]["dateTime"].replace("Z", "+00:00")) + timedelta(hours=1)
                fake.google_edit(calendar, event["id"], start=start, end=end)

    fake.on_request = activity
    return fake


def demo_handler() -> Callable[[FakeRequest], FakeResponse]:
    return demo_fake().handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Google Calendar API v3 and OAuth endpoints")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--demo", action="store_true", help="any client and code accepted, demo activity")
    args = parser.parse_args()
    fake = demo_fake() if args.demo else GoogleCalendarFake()
    server = FakeServer(fake.handle, port=args.port, host=args.host)
    print(f"{server.url}/", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
