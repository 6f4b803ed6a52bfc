"""Window limits, local dates to UTC instants, the automatic 3-day window across midnight, the 90-day split."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from integrations.movidesk.models import MovideskTicket
from integrations.movidesk.tasks import movidesk_sync_scheduled
from integrations.movidesk.windows import (
    MovideskSyncWindow,
    backfill_windows,
    window_automatic,
    window_segments,
    window_validate,
)
from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, ExecutionStatus, Trigger
from tests.fakes.movidesk import MovideskFake
from tests.fakes.server import FakeServer

SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def may_16() -> object:
    with time_machine.travel(datetime(2026, 5, 16, 15, 0, tzinfo=SP), tick=False):
        yield


def test_five_calendar_days_counting_both_ends_are_accepted(may_16: object) -> None:
    window = window_validate("2026-05-01", "2026-05-05")
    assert window.days == 5
    assert window_validate("2026-05-16", "2026-05-16").days == 1


def test_six_days_are_refused_with_a_clear_message(may_16: object) -> None:
    with pytest.raises(ValidationFailed, match="6 dias; o máximo é 5 dias"):
        window_validate("2026-05-01", "2026-05-06")


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("2026-05-05", "2026-05-01", "posterior à final"),
        ("2026-05-15", "2026-05-17", "está no futuro"),
        ("01/05/2026", "2026-05-02", "Use o formato AAAA-MM-DD"),
        ("2026-05-01", "20260502", "Use o formato AAAA-MM-DD"),
        ("2026-02-30", "2026-03-01", "Data inválida"),
    ],
)
def test_reversed_future_and_malformed_windows_are_refused(
    may_16: object, date_from: str, date_to: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        window_validate(date_from, date_to)


def test_a_window_runs_from_local_midnight_to_the_local_midnight_after_its_last_day() -> None:
    window = MovideskSyncWindow(date(2026, 5, 1), date(2026, 5, 2))
    assert window.start == datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    assert window.end == datetime(2026, 5, 3, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        # 00:30 in Brasília is already 03:30Z: the window is 14..16, not 13..15.
        (datetime(2026, 5, 16, 0, 30, tzinfo=SP), (date(2026, 5, 14), date(2026, 5, 16))),
        # 23:59 on the 15th is 02:59Z on the 16th: still the 15th here, so 13..15.
        (datetime(2026, 5, 15, 23, 59, tzinfo=SP), (date(2026, 5, 13), date(2026, 5, 15))),
        # Across a month and a year end.
        (datetime(2027, 1, 1, 0, 5, tzinfo=SP), (date(2026, 12, 30), date(2027, 1, 1))),
    ],
)
def test_automatic_window_is_today_and_the_two_days_before_in_local_time(
    local_now: datetime, expected: tuple[date, date]
) -> None:
    with time_machine.travel(local_now, tick=False):
        window = window_automatic()
    assert (window.date_from, window.date_to) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("local_now", "expected_filter"),
    [
        (
            datetime(2026, 5, 16, 0, 30, tzinfo=SP),
            "lastUpdate ge 2026-05-14T03:00:00Z and lastUpdate lt 2026-05-17T03:00:00Z",
        ),
        # January: Brazil kept daylight saving time until 2019; since then midnight is 03:00Z all year.
        (
            datetime(2027, 1, 10, 0, 30, tzinfo=SP),
            "lastUpdate ge 2027-01-08T03:00:00Z and lastUpdate lt 2027-01-11T03:00:00Z",
        ),
    ],
)
def test_the_scheduled_task_asks_movidesk_for_its_window_in_utc(
    local_now: datetime, expected_filter: str, movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    with time_machine.travel(local_now, tick=True):
        movidesk_fake.put(1, last_update=local_now - timedelta(hours=1))
        movidesk_fake.put(2, last_update=local_now - timedelta(days=3))  # before the window
        result = movidesk_sync_scheduled.apply()

    execution = Execution.objects.get(pk=result.get())
    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.trigger == Trigger.SCHEDULE
    [request] = movidesk_fake.list_requests()
    assert request.query["$filter"] == expected_filter
    assert list(MovideskTicket.objects.values_list("id", flat=True)) == [1]


def test_backfill_is_cut_into_five_day_windows() -> None:
    windows = list(backfill_windows(date(2026, 4, 28), date(2026, 5, 9)))
    assert [(w.date_from.isoformat(), w.date_to.isoformat()) for w in windows] == [
        ("2026-04-28", "2026-05-02"),
        ("2026-05-03", "2026-05-07"),
        ("2026-05-08", "2026-05-09"),
    ]


def test_windows_within_90_days_only_ask_tickets() -> None:
    now = datetime(2026, 5, 16, 15, 0, tzinfo=SP)
    [segment] = window_segments(MovideskSyncWindow(date(2026, 5, 10), date(2026, 5, 14)), now)
    assert segment.path == "/tickets"


def test_windows_older_than_90_days_only_ask_tickets_past() -> None:
    now = datetime(2026, 5, 16, 15, 0, tzinfo=SP)
    [segment] = window_segments(MovideskSyncWindow(date(2026, 1, 10), date(2026, 1, 14)), now)
    assert segment.path == "/tickets/past"
    assert (segment.start, segment.end) == (datetime(2026, 1, 10, 3, tzinfo=UTC), datetime(2026, 1, 15, 3, tzinfo=UTC))


def test_a_window_across_the_90_day_boundary_asks_both_with_an_overlap() -> None:
    now = datetime(2026, 5, 16, 15, 0, tzinfo=SP)  # 90 days before: 15/02 15:00 local = 18:00Z
    recent, past = window_segments(MovideskSyncWindow(date(2026, 2, 14), date(2026, 2, 18)), now)
    assert (recent.path, past.path) == ("/tickets", "/tickets/past")
    assert recent.start == datetime(2026, 2, 15, 17, 0, tzinfo=UTC)
    assert past.end == datetime(2026, 2, 15, 19, 0, tzinfo=UTC)
    assert past.start == datetime(2026, 2, 14, 3, 0, tzinfo=UTC) and recent.end == datetime(2026, 2, 19, 3, tzinfo=UTC)
