"""Movidesk public API v1 (tickets) on the shared base client. Returns typed records, never raw dicts;
the JSON as received travels only in `MovideskTicketRecord.raw`, for storage.

Paging is key-set on (lastUpdate, id), not `$skip`: the window's tickets are read in ascending
(lastUpdate, id) order and each page asks for the rows after the last one seen. A ticket edited while
we page moves to a later lastUpdate, i.e. *ahead* of the cursor, so it is read again later (or it
left the window, and the next run's window has it); with `$skip` the same edit shifts every following
row one place back and one of them is never read.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from integrations.movidesk.exceptions import MovideskResponseError
from orchestration.outbound import SYSTEM_CLOCK, BaseClient, Clock, LogFn, RateLimit

PAGE_CAP = 100  # Movidesk's published maximum per list GET
TICKETS = "/tickets"
TICKETS_PAST = "/tickets/past"  # lastUpdate older than 90 days
SELECT_FIELDS = (
    "id",
    "protocol",
    "type",
    "subject",
    "category",
    "urgency",
    "status",
    "baseStatus",
    "justification",
    "origin",
    "ownerTeam",
    "serviceFirstLevel",
    "serviceSecondLevel",
    "serviceThirdLevel",
    "tags",
    "createdDate",
    "resolvedIn",
    "closedIn",
    "lastActionDate",
    "lastUpdate",
)
EXPAND = "owner,clients($expand=organization)"
ORDER_BY = "lastUpdate asc,id asc"

_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class MovideskPerson:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class MovideskCustomer:
    id: str
    name: str
    email: str
    organization: str


@dataclass(frozen=True)
class MovideskTicketRecord:
    id: int
    protocol: str
    subject: str
    status: str
    base_status: str
    category: str
    urgency: str
    owner: MovideskPerson | None
    owner_team: str
    clients: tuple[MovideskCustomer, ...]
    created_date: datetime | None
    last_update: datetime
    last_update_literal: str  # lastUpdate as a UTC OData literal, every fractional digit kept
    raw: dict[str, Any]


@dataclass(frozen=True)
class TicketCursor:
    """The last (lastUpdate, id) read; the next page starts strictly after it."""

    last_update_literal: str
    id: int


@dataclass(frozen=True)
class TicketPage:
    tickets: list[MovideskTicketRecord]
    received: int  # rows in the response, including rejected ones
    rejected: list[str]  # why rows could not be read

    @property
    def cursor(self) -> TicketCursor | None:
        if not self.tickets:
            return None
        last = self.tickets[-1]  # the server sorts by (lastUpdate, id), as asked
        return TicketCursor(last.last_update_literal, last.id)


@dataclass(frozen=True)
class _ParsedDate:
    value: datetime  # aware, UTC
    literal: str  # OData literal in UTC with the original fractional digits


def _parse_date(text: Any, zone: ZoneInfo) -> _ParsedDate | None:
    """A Movidesk date. Zone-less values (the normal case) are read in `zone` (MOVIDESK_DATES_TZ)."""
    if not isinstance(text, str):
        return None
    match = _DATE.match(text.strip())
    if not match:
        return None
    clock = match["time"] if len(match["time"]) == 8 else match["time"] + ":00"
    try:
        naive = datetime.fromisoformat(f"{match['date']}T{clock}")
    except ValueError:
        return None
    raw_zone = match["zone"]
    if raw_zone is None:
        aware = naive.replace(tzinfo=zone)
    elif raw_zone == "Z":
        aware = naive.replace(tzinfo=UTC)
    else:
        aware = datetime.fromisoformat(f"{match['date']}T{clock}{raw_zone[:3]}:{raw_zone[-2:]}")
    whole = aware.astimezone(UTC)
    fraction = (match["fraction"] or "")[:7]
    value = whole.replace(microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0)
    # isoformat pads the year to four digits; strftime("%Y") does not on Linux (year 1 → "1").
    literal = whole.replace(tzinfo=None).isoformat(timespec="seconds") + (f".{fraction}" if fraction else "") + "Z"
    return _ParsedDate(value, literal)


def utc_literal(value: datetime) -> str:
    """An aware datetime as the OData literal Movidesk accepts: UTC, `Z` suffix."""
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds") + "Z"


def window_filter(start: datetime, end: datetime, after: TicketCursor | None = None) -> str:
    clause = f"lastUpdate ge {utc_literal(start)} and lastUpdate lt {utc_literal(end)}"
    if after is not None:
        literal = after.last_update_literal
        clause += f" and (lastUpdate gt {literal} or (lastUpdate eq {literal} and id gt {after.id}))"
    return clause


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _person(data: Any) -> MovideskPerson | None:
    if not isinstance(data, dict):
        return None
    return MovideskPerson(_text(data.get("id")), _text(data.get("businessName")), _text(data.get("email")))


def _customers(data: Any) -> tuple[MovideskCustomer, ...]:
    if not isinstance(data, list):
        return ()
    customers = []
    for item in data:
        if not isinstance(item, dict):
            continue
        organization = item.get("organization")
        customers.append(
            MovideskCustomer(
                id=_text(item.get("id")),
                name=_text(item.get("businessName")),
                email=_text(item.get("email")),
                organization=_text(organization.get("businessName")) if isinstance(organization, dict) else "",
            )
        )
    return tuple(customers)


def _ticket_id(value: Any) -> int | None:
    # Documented as string(10), an integer in practice: accept both, as long as it is a number.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_ticket(data: Any, zone: ZoneInfo) -> MovideskTicketRecord | str:
    """A typed ticket, or the reason it cannot be stored. Missing optional fields become blanks;
    unknown fields are kept in `raw` only."""
    if not isinstance(data, dict):
        return f"item não é um objeto: {str(data)[:60]}"
    ticket_id = _ticket_id(data.get("id"))
    if ticket_id is None:
        return f"ticket sem id numérico: {str(data.get('id'))[:30]}"
    last_update = _parse_date(data.get("lastUpdate"), zone)
    if last_update is None:
        return f"ticket {ticket_id} sem lastUpdate válido: {str(data.get('lastUpdate'))[:40]}"
    created = _parse_date(data.get("createdDate"), zone)
    return MovideskTicketRecord(
        id=ticket_id,
        protocol=_text(data.get("protocol")),
        subject=_text(data.get("subject")),
        status=_text(data.get("status")),
        base_status=_text(data.get("baseStatus")),
        category=_text(data.get("category")),
        urgency=_text(data.get("urgency")),
        owner=_person(data.get("owner")),
        owner_team=_text(data.get("ownerTeam")),
        clients=_customers(data.get("clients")),
        created_date=created.value if created else None,
        last_update=last_update.value,
        last_update_literal=last_update.literal,
        raw=data,
    )


def rate_limit_key(token: str) -> str:
    # The limit is per token and shared by every worker; the key must not reveal the token.
    return "movidesk:" + hashlib.sha256(token.encode()).hexdigest()[:16]


class MovideskClient(BaseClient):
    service_name = "movidesk"

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        rate_limit_requests: int = 10,
        rate_limit_window_seconds: float = 60.0,
        dates_tz: str = "UTC",
        log: LogFn | None = None,
        timeout: tuple[float, float] = (5.0, 60.0),
        max_attempts: int = 5,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        # Our limiter counts a request when it leaves, Movidesk when it arrives: a slightly longer window
        # keeps network jitter from turning the last request of a window into a 429.
        window = rate_limit_window_seconds + max(0.25, rate_limit_window_seconds * 0.02)
        limit = RateLimit(rate_limit_requests, window, rate_limit_key(token)) if rate_limit_requests > 0 else None
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            rate_limit=limit,
            secrets=[token],
            log=log,
            max_retry_after=120.0,  # the "3 failures" block asks for 60 s
            clock=clock,
        )
        self.token = token
        self.zone = ZoneInfo(dates_tz)

    def tickets_page(
        self,
        *,
        path: str,
        start: datetime,
        end: datetime,
        after: TicketCursor | None = None,
        top: int = PAGE_CAP,
    ) -> TicketPage:
        """One page of tickets with start <= lastUpdate < end, after `after`, oldest first."""
        params: Sequence[tuple[str, Any]] = [
            ("token", self.token),
            ("$select", ",".join(SELECT_FIELDS)),
            ("$expand", EXPAND),
            ("$filter", window_filter(start, end, after)),
            ("$orderby", ORDER_BY),
            ("$top", min(top, PAGE_CAP)),
        ]
        payload = self.get_json(path, params=params)
        # A list filtered down to one row sometimes comes back as the bare object.
        rows = [] if payload is None else [payload] if isinstance(payload, dict) else payload
        if not isinstance(rows, list):
            raise MovideskResponseError(f"esperada uma lista de tickets, veio {type(payload).__name__}")
        tickets, rejected = [], []
        for row in rows:
            parsed = parse_ticket(row, self.zone)
            if isinstance(parsed, str):
                rejected.append(parsed)
            else:
                tickets.append(parsed)
        return TicketPage(tickets, len(rows), rejected)
