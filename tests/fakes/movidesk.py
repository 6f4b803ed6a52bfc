"""A fake Movidesk tickets API (public v1) on a real HTTP server, with fault switches.

Speaks the wire format our client meets in production: `token` in the query string, `$select`
mandatory, OData `$filter` with UTC `Z` date literals, `$orderby`, `$top` (capped at 100), `$skip`,
`$expand`, `/tickets` for the last 90 days and `/tickets/past` for older ones, zone-less dates with
up to 7 fractional digits, 429 "Too many failed requests" after 3 consecutive failures.

In pytest:  fake = MovideskFake(); fake.generate(250, start, end); with FakeServer(fake.handle) as server: ...
Standalone: python -m tests.fakes.movidesk --port 8101 --tickets 100000 --days 50
"""

import argparse
import bisect
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.movidesk_odata import (
    DATE_FIELDS,
    TICKS_PER_SECOND,
    ODataError,
    evaluate,
    last_update_bounds,
    parse_expand,
    parse_filter,
    parse_orderby,
    ticks_from_datetime,
)
from tests.fakes.movidesk_tickets import StoredTicket, generated_document, render_date
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

DEFAULT_TOKEN = "test-token"
PAGE_CAP = 100
NINETY_DAYS = 90 * 86400 * TICKS_PER_SECOND


@dataclass(frozen=True)
class ServedRequest:
    at: float  # time.monotonic()
    path: str
    query: dict[str, str]
    status: int


class MovideskFake:
    """The ticket store and the request handler. Fault switches are plain attributes and methods."""

    def __init__(
        self,
        *,
        token: str | None = DEFAULT_TOKEN,
        dates_tz: str = "UTC",
        block_seconds: float = 60.0,
        failures_to_block: int = 3,
    ) -> None:
        self.token = token  # None accepts any non-empty token (demo)
        self.zone = ZoneInfo(dates_tz)
        self.block_seconds = block_seconds
        self.failures_to_block = failures_to_block
        self.rate_limit: tuple[int, float] | None = None  # (requests, per seconds): Movidesk's is (10, 60)
        self.malformed_page: int | None = None  # the Nth list response is not valid JSON
        self.delay_seconds = 0.0
        self.bare_single_row = False  # a list of one row comes back as the bare object (seen in the wild)
        self.on_request: Callable[[], None] | None = None
        self.served: list[ServedRequest] = []
        self.list_responses = 0
        self._tickets: dict[int, StoredTicket] = {}
        self._index: list[tuple[int, int]] = []  # (lastUpdate ticks, id), sorted
        self._injected: deque[FakeResponse] = deque()
        self._recent: deque[float] = deque()
        self._failures = 0
        self._blocked_until = 0.0
        self._lock = threading.RLock()

    # --- data -------------------------------------------------------------------------------------
    def generate(self, count: int, *, start: datetime, end: datetime, first_id: int = 1000) -> None:
        """`count` tickets with lastUpdate spread over [start, end), with 7-digit fractions."""
        rng = random.Random(count)
        low, span = ticks_from_datetime(start), ticks_from_datetime(end) - ticks_from_datetime(start)
        with self._lock:
            for offset in range(count):
                ticket_id = first_id + offset
                last_update = low + span * offset // max(count, 1) + rng.randrange(TICKS_PER_SECOND)
                created = last_update - rng.randrange(1, 30 * 86400) * TICKS_PER_SECOND
                self._tickets[ticket_id] = StoredTicket(ticket_id, last_update, created)
            self._index = sorted((t.last_update, t.id) for t in self._tickets.values())

    def put(
        self,
        ticket_id: int,
        *,
        last_update: datetime,
        created: datetime | None = None,
        body: dict[str, Any] | None = None,
        sparse: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Creates or replaces one ticket; `body` fields win over generated ones."""
        ticks = ticks_from_datetime(last_update)
        with self._lock:
            self._unindex(ticket_id)
            created_ticks = ticks_from_datetime(created) if created else ticks - 3600 * TICKS_PER_SECOND
            self._tickets[ticket_id] = StoredTicket(ticket_id, ticks, created_ticks, 0, body, sparse, extra)
            bisect.insort(self._index, (ticks, ticket_id))

    def touch(self, ticket_id: int, when: datetime | None = None, **fields: Any) -> None:
        """An agent edits the ticket: a new version of its content and a later lastUpdate."""
        with self._lock:
            ticket = self._tickets[ticket_id]
            self._unindex(ticket_id)
            ticket.last_update = ticks_from_datetime(when or datetime.now(UTC))
            ticket.version += 1
            if fields:
                ticket.body = {**(ticket.body or {}), **fields}
            bisect.insort(self._index, (ticket.last_update, ticket_id))

    def remove(self, ticket_id: int) -> None:
        with self._lock:
            self._unindex(ticket_id)
            del self._tickets[ticket_id]

    def ticket_ids(self) -> list[int]:
        with self._lock:
            return sorted(self._tickets)

    def _unindex(self, ticket_id: int) -> None:
        old = self._tickets.get(ticket_id)
        if old is not None:
            position = bisect.bisect_left(self._index, (old.last_update, ticket_id))
            if position < len(self._index) and self._index[position] == (old.last_update, ticket_id):
                del self._index[position]

    # --- faults -------------------------------------------------------------------------------------
    def fail_next(self, status: int = 503, *, times: int = 1, retry_after: float | None = None) -> None:
        headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else {}
        body = "Too many requests" if status == 429 else "Service Unavailable"
        for _ in range(times):
            self._injected.append(FakeResponse(status, body, dict(headers)))

    def block_for(self, seconds: float) -> None:
        """As if three requests had just failed: 429 "Too many failed requests" for `seconds`."""
        with self._lock:
            self._blocked_until = time.monotonic() + seconds

    def list_requests(self) -> list[ServedRequest]:
        with self._lock:
            return [r for r in self.served if r.path.endswith(("/tickets", "/tickets/past"))]

    # --- HTTP -----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        if self.on_request is not None:
            self.on_request()
        with self._lock:
            response = self._respond(request)
            now = time.monotonic()
            self.served.append(ServedRequest(now, request.path, dict(request.query), response.status))
            if 400 <= response.status < 500 and response.status != 429:
                self._failures += 1
                if self._failures >= self.failures_to_block:
                    self._failures = 0
                    self._blocked_until = now + self.block_seconds
            elif response.status < 400:
                self._failures = 0
        response.delay_seconds = max(response.delay_seconds, self.delay_seconds)
        return response

    def _respond(self, request: FakeRequest) -> FakeResponse:
        now = time.monotonic()
        if now < self._blocked_until:
            wait = math.ceil(self._blocked_until - now)
            return FakeResponse(429, "Too many failed requests", {"Retry-After": str(wait)})
        if self.rate_limit is not None:
            limit, window = self.rate_limit
            while self._recent and self._recent[0] <= now - window:
                self._recent.popleft()
            if len(self._recent) >= limit:
                wait = max(1, math.ceil(self._recent[0] + window - now))
                return FakeResponse(429, "API rate limit exceeded", {"Retry-After": str(wait)})
            self._recent.append(now)
        if self._injected:
            return self._injected.popleft()
        past = request.path.endswith("/tickets/past")
        if not (past or request.path.endswith("/tickets")) or request.method != "GET":
            return FakeResponse(404, "Not Found")
        token = request.query.get("token", "")
        if not token or (self.token is not None and token != self.token):
            return FakeResponse(401, "Unauthorized")
        # Movidesk does not recognise percent-encoded `$` (`%24filter`): such a parameter is ignored.
        query = {key: value for key, value in request.query.items() if f"%24{key[1:]}=" not in request.raw_query}
        try:
            if "id" in query:
                return self._single(query, past)
            if "$select" not in query:
                return FakeResponse(400, "The $select parameter is required.")
            return self._list(query, past)
        except (ODataError, ValueError) as error:
            return FakeResponse(400, str(error))

    def _single(self, query: dict[str, str], past: bool) -> FakeResponse:
        ticket = self._tickets.get(int(query["id"]))
        if ticket is None or past != (ticket.last_update < self._boundary()):
            return FakeResponse(404, "Ticket not found")
        select = query.get("$select", "").split(",") if query.get("$select") else None
        return FakeResponse.json(self._render(ticket, select, parse_expand(query.get("$expand", ""))))

    def _list(self, query: dict[str, str], past: bool) -> FakeResponse:
        select = [field.strip() for field in query["$select"].split(",") if field.strip()]
        node = parse_filter(query.get("$filter", ""))
        order = parse_orderby(query.get("$orderby", ""))
        expand = parse_expand(query.get("$expand", ""))
        top = min(int(query.get("$top", PAGE_CAP)), PAGE_CAP)
        skip = int(query.get("$skip", 0))
        lower, upper = last_update_bounds(node)
        boundary = self._boundary()
        if past:
            upper = boundary - 1 if upper is None else min(upper, boundary - 1)
        else:
            lower = boundary if lower is None else max(lower, boundary)
        start = bisect.bisect_left(self._index, (lower,)) if lower is not None else 0
        stop = bisect.bisect_left(self._index, (upper + 1,)) if upper is not None else len(self._index)
        names = [name for name, _ in order]
        in_index_order = names in (["lastUpdate"], ["lastUpdate", "id"]) and not any(desc for _, desc in order)
        matches: list[StoredTicket] = []
        for position in range(start, stop):
            ticket = self._tickets[self._index[position][1]]
            document = self._document(ticket)
            if evaluate(node, document.get):
                matches.append(ticket)
                if in_index_order and len(matches) >= skip + top:
                    break
        if not in_index_order:
            for name, descending in reversed(order):
                matches.sort(key=lambda t, n=name: _sort_key(self._document(t).get(n)), reverse=descending)
        page = matches[skip : skip + top]
        self.list_responses += 1
        if self.malformed_page is not None and self.list_responses == self.malformed_page:
            return FakeResponse(200, '[{"id": 1, "subject": "cortad', {"Content-Type": "application/json"})
        rows = [self._render(ticket, select, expand) for ticket in page]
        return FakeResponse.json(rows[0] if self.bare_single_row and len(rows) == 1 else rows)

    def _boundary(self) -> int:
        return ticks_from_datetime(datetime.now(UTC)) - NINETY_DAYS

    def _document(self, ticket: StoredTicket) -> dict[str, Any]:
        document = {} if ticket.sparse else generated_document(ticket)
        document.update(ticket.body or {})
        document["id"] = ticket.id
        document["lastUpdate"] = ticket.last_update
        if not ticket.sparse:
            document.setdefault("createdDate", ticket.created)
        return document

    def _render(self, ticket: StoredTicket, select: list[str] | None, expand: set[str]) -> dict[str, Any]:
        document = self._document(ticket)
        navigation = {"owner", "clients", "createdBy"}
        if select is None:
            fields = [name for name in document if name not in navigation]
        elif ticket.sparse:
            fields = [name for name in select if name in document]
        else:
            fields = select
        out: dict[str, Any] = {name: self._render_value(name, document.get(name)) for name in fields}
        for name in navigation & expand:
            if name in document:
                out[name] = document[name]
        out.update(ticket.extra or {})
        return out

    def _render_value(self, name: str, value: Any) -> Any:
        if name not in DATE_FIELDS or not isinstance(value, int):
            return value
        return render_date(value, self.zone)


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def demo_fake(ticket_count: int = 300) -> MovideskFake:
    """For `make run`: recent tickets, a few edited or created every half minute, an occasional fault."""
    fake = MovideskFake(token=None)
    now = datetime.now(UTC)
    fake.generate(ticket_count, start=now - timedelta(days=6), end=now, first_id=810_000)
    state = {"requests": 0, "last_change": time.monotonic(), "next_id": 810_000 + ticket_count}
    rng = random.Random(42)

    def activity() -> None:
        state["requests"] += 1
        if time.monotonic() - state["last_change"] > 30:
            state["last_change"] = time.monotonic()
            for ticket_id in rng.sample(fake.ticket_ids(), 3):
                fake.touch(ticket_id)
            fake.put(state["next_id"], last_update=datetime.now(UTC))
            state["next_id"] += 1
        if state["requests"] % 23 == 0:
            fake.fail_next(503)
        elif state["requests"] % 37 == 0:
            fake.fail_next(429, retry_after=5)

    fake.on_request = activity
    return fake


def demo_handler() -> Callable[[FakeRequest], FakeResponse]:
    return demo_fake().handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Movidesk tickets API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--days", type=float, default=6.0, help="lastUpdate spread over the last N days")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="'' accepts any token")
    parser.add_argument("--rate-limit", default="", help="e.g. 10/60 (requests/seconds); empty: off")
    parser.add_argument("--dates-tz", default="UTC")
    parser.add_argument("--demo", action="store_true", help="demo data, activity and faults")
    args = parser.parse_args()
    if args.demo:
        fake = demo_fake(args.tickets)
    else:
        fake = MovideskFake(token=args.token or None, dates_tz=args.dates_tz)
        now = datetime.now(UTC)
        fake.generate(args.tickets, start=now - timedelta(days=args.days), end=now - timedelta(minutes=1))
    if args.rate_limit:
        requests, seconds = args.rate_limit.split("/")
        fake.rate_limit = (int(requests), float(seconds))
    server = FakeServer(fake.handle, port=args.port, host=args.host)
    print(f"{server.url}/public/v1", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
