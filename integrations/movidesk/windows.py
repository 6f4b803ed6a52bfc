"""Sync windows: local (Brasília) calendar dates turned into UTC instants, validated in one place for
the admin, the API and the command, and split between `/tickets` and `/tickets/past`.

A window [date_from, date_to] covers local midnight of date_from up to (excluding) local midnight of
the day after date_to. Brazil has had no daylight saving time since 2019, so local midnight is 03:00Z,
but the conversion goes through the zone database anyway.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.movidesk.client import TICKETS, TICKETS_PAST
from orchestration.exceptions import ValidationFailed

MAX_WINDOW_DAYS = 5
AUTOMATIC_WINDOW_DAYS = 3  # today and the two days before, as the source system did
RECENT_DAYS = 90  # `/tickets` only has tickets updated in the last 90 days
# Around the 90-day boundary both routes are asked, so a ticket that ages from one route into the
# other while we page is read by one of them; the few read twice are counted once.
SPLIT_MARGIN = timedelta(hours=1)
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only: `\d` takes any script's digits
# Movidesk keeps nothing older; an earlier date is a typo, and the request Movidesk would refuse counts
# towards its block after three failures.
MIN_SYNC_DATE = date(2000, 1, 1)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today() -> date:
    return timezone.localdate(timezone.now(), local_zone())


@dataclass(frozen=True)
class MovideskSyncWindow:
    date_from: date
    date_to: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=local_zone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=local_zone())

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def as_parameters(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}

    def __str__(self) -> str:
        return f"{self.date_from:%d/%m/%Y} a {self.date_to:%d/%m/%Y}"


@dataclass(frozen=True)
class RouteSegment:
    """One route and the UTC range asked of it."""

    path: str
    start: datetime
    end: datetime
    overlap_start: datetime  # tickets in [overlap_start, overlap_end) may come from both routes
    overlap_end: datetime


def parse_date(value: str | date, field: str) -> date:
    """A date given as AAAA-MM-DD (ASCII digits) or a date, not before MIN_SYNC_DATE."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed, text = value, value.isoformat()
    else:
        text = str(value).strip()
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            parsed = date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(
                _("Data inválida em '%(field)s': %(value)s. Use o formato AAAA-MM-DD.")
                % {"field": field, "value": value}
            ) from None
    if parsed < MIN_SYNC_DATE:
        raise ValidationFailed(
            _("Data inválida em '%(field)s': %(value)s. A data mínima é %(minimum)s.")
            % {"field": field, "value": text, "minimum": f"{MIN_SYNC_DATE:%d/%m/%Y}"}
        )
    return parsed


def window_validate(
    date_from: str | date, date_to: str | date, *, max_days: int = MAX_WINDOW_DAYS
) -> MovideskSyncWindow:
    """The one validation of a requested window: at most `max_days` calendar days, not reversed,
    not in the future (local dates)."""
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    today = local_today()
    if start > end:
        raise ValidationFailed(
            _("A data inicial (%(start)s) é posterior à final (%(end)s).")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
        )
    if end > today:
        raise ValidationFailed(
            _("A data final (%(end)s) está no futuro; hoje é %(today)s.")
            % {"end": f"{end:%d/%m/%Y}", "today": f"{today:%d/%m/%Y}"}
        )
    window = MovideskSyncWindow(start, end)
    if window.days > max_days:
        raise ValidationFailed(
            _(
                "O período pedido tem %(days)d dias; o máximo é %(max)d dias (contando as duas datas). "
                "Para períodos maiores use a carga histórica: manage.py sync_movidesk --since AAAA-MM-DD."
            )
            % {"days": window.days, "max": max_days}
        )
    return window


def window_automatic() -> MovideskSyncWindow:
    """The scheduled run's window, computed when it runs: today and the two days before, local time."""
    today = local_today()
    return MovideskSyncWindow(today - timedelta(days=AUTOMATIC_WINDOW_DAYS - 1), today)


def backfill_windows(since: date, until: date) -> Iterator[MovideskSyncWindow]:
    """[since, until] cut into consecutive windows of at most MAX_WINDOW_DAYS days."""
    current = since
    while current <= until:
        last = min(current + timedelta(days=MAX_WINDOW_DAYS - 1), until)
        yield MovideskSyncWindow(current, last)
        current = last + timedelta(days=1)


def window_segments(window: MovideskSyncWindow, now: datetime | None = None) -> list[RouteSegment]:
    """The routes to ask, `/tickets` first: its oldest rows (the ones about to age out) come in its
    first page, and `/tickets/past`, asked afterwards, by then holds whatever aged meanwhile."""
    now = now or timezone.now()
    boundary = now - timedelta(days=RECENT_DAYS)
    low, high = boundary - SPLIT_MARGIN, boundary + SPLIT_MARGIN
    segments = []
    if window.end > low:
        segments.append(RouteSegment(TICKETS, max(window.start, low), window.end, low, high))
    if window.start < high:
        segments.append(RouteSegment(TICKETS_PAST, window.start, min(window.end, high), low, high))
    return segments
