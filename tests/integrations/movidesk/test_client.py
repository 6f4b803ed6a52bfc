"""The Movidesk client at the wire: date parsing, odd-but-real response shapes, secrets, throttling."""

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.movidesk.client import TICKETS, MovideskClient, parse_ticket, window_filter
from integrations.movidesk.models import MovideskTicket
from integrations.movidesk.sync import movidesk_sync_run
from integrations.movidesk.windows import MovideskSyncWindow
from orchestration.models import ExecutionStatus
from orchestration.outbound import AuthError
from tests.fakes.clock import FakeClock
from tests.fakes.movidesk import DEFAULT_TOKEN, MovideskFake
from tests.fakes.server import FakeServer

UTC_ZONE = ZoneInfo("UTC")
SP = ZoneInfo("America/Sao_Paulo")
START, END = datetime(2026, 5, 1, 3, tzinfo=UTC), datetime(2026, 5, 6, 3, tzinfo=UTC)
WINDOW = MovideskSyncWindow(date(2026, 5, 1), date(2026, 5, 5))


def test_zone_less_dates_with_seven_digits_are_read_in_the_configured_zone() -> None:
    row = {"id": 5, "lastUpdate": "2026-01-20T11:57:20.5690333", "createdDate": "2026-01-19T12:57:20"}

    as_utc = parse_ticket(row, UTC_ZONE)
    as_local = parse_ticket(row, SP)

    assert not isinstance(as_utc, str) and not isinstance(as_local, str)
    assert as_utc.last_update == datetime(2026, 1, 20, 11, 57, 20, 569033, tzinfo=UTC)
    assert as_local.last_update == datetime(2026, 1, 20, 14, 57, 20, 569033, tzinfo=UTC)
    # The cursor literal keeps all seven digits, or `eq` would never match the row again.
    assert as_utc.last_update_literal == "2026-01-20T11:57:20.5690333Z"
    assert as_local.last_update_literal == "2026-01-20T14:57:20.5690333Z"
    assert as_utc.created_date == datetime(2026, 1, 19, 12, 57, 20, tzinfo=UTC)


def test_dates_that_do_carry_a_zone_keep_it() -> None:
    parsed = parse_ticket({"id": 1, "lastUpdate": "2026-01-20T11:00:00-03:00"}, UTC_ZONE)
    assert not isinstance(parsed, str)
    assert parsed.last_update == datetime(2026, 1, 20, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"lastUpdate": "2026-01-20T11:00:00"}, "sem id numérico"),
        ({"id": "ABC-1", "lastUpdate": "2026-01-20T11:00:00"}, "sem id numérico"),
        ({"id": 3}, "sem lastUpdate válido"),
        ({"id": 3, "lastUpdate": "ontem"}, "sem lastUpdate válido"),
        ("texto", "não é um objeto"),
    ],
)
def test_rows_that_cannot_be_stored_say_why(row: object, reason: str) -> None:
    assert reason in str(parse_ticket(row, UTC_ZONE))


def test_numeric_string_ids_are_accepted() -> None:
    parsed = parse_ticket({"id": "816615", "lastUpdate": "2026-01-20T11:00:00"}, UTC_ZONE)
    assert not isinstance(parsed, str) and parsed.id == 816615


def test_the_cursor_filter_pages_after_the_last_row_by_last_update_then_id() -> None:
    from integrations.movidesk.client import TicketCursor

    text = window_filter(START, END, TicketCursor("2026-05-02T10:00:00.1234567Z", 42))
    assert text == (
        "lastUpdate ge 2026-05-01T03:00:00Z and lastUpdate lt 2026-05-06T03:00:00Z and "
        "(lastUpdate gt 2026-05-02T10:00:00.1234567Z or "
        "(lastUpdate eq 2026-05-02T10:00:00.1234567Z and id gt 42))"
    )


@pytest.mark.django_db
def test_a_one_row_answer_given_as_a_bare_object_is_stored(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    movidesk_fake.bare_single_row = True
    movidesk_fake.put(816615, last_update=datetime(2026, 5, 2, 12, tzinfo=UTC), extra={"id": "816615"})

    execution = movidesk_sync_run(window=WINDOW)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert list(MovideskTicket.objects.values_list("id", flat=True)) == [816615]


@pytest.mark.django_db
def test_the_token_never_reaches_logs_or_errors(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    movidesk_fake.generate(5, start=datetime(2026, 5, 2, tzinfo=UTC), end=datetime(2026, 5, 3, tzinfo=UTC))
    movidesk_fake.fail_next(503)
    caplog.set_level("DEBUG")

    execution = movidesk_sync_run(window=WINDOW)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    lines = "\n".join(execution.log_lines.values_list("message", flat=True))
    assert "503" in lines and "token=***" in lines
    assert DEFAULT_TOKEN not in lines
    assert DEFAULT_TOKEN not in caplog.text


@pytest.mark.django_db
def test_a_refused_token_fails_at_once_without_retrying(
    settings, movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:  # type: ignore[no-untyped-def]
    settings.MOVIDESK_TOKEN = "wrong-token-123"

    execution = movidesk_sync_run(window=WINDOW)

    assert execution.status == ExecutionStatus.FAILED
    assert execution.error_type == "AuthError"
    assert "wrong-token-123" not in execution.error
    assert len(movidesk_fake.list_requests()) == 1  # a 4xx repeated would feed the "3 failures" block


RECENT_END = datetime.now(UTC).replace(microsecond=0)
RECENT_START = RECENT_END - timedelta(days=4)


def _page_through(client: MovideskClient, pages: int) -> int:
    cursor, received = None, 0
    for _ in range(pages):
        page = client.tickets_page(path=TICKETS, start=RECENT_START, end=RECENT_END, after=cursor, top=10)
        received += page.received
        cursor = page.cursor
    return received


@pytest.fixture
def busy_fake(movidesk_server: FakeServer) -> MovideskFake:
    fake = MovideskFake(token=None)
    fake.generate(200, start=RECENT_START + timedelta(hours=1), end=RECENT_END - timedelta(hours=1))
    movidesk_server.handle = fake.handle
    return fake


def _client(
    server: FakeServer, token: str, requests: int, window: float, clock: FakeClock | None = None
) -> MovideskClient:
    return MovideskClient(
        base_url=f"{server.url}/public/v1",
        token=token,
        rate_limit_requests=requests,
        rate_limit_window_seconds=window,
        timeout=(2.0, 5.0),
        **({"clock": clock} if clock is not None else {}),
    )


def test_our_limiter_keeps_within_the_movidesk_limit_across_clients(
    busy_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    """Two clients (two workers) with the same token share one budget: Movidesk never says 429."""
    busy_fake.rate_limit = (3, 1.0)
    token = f"shared-{uuid.uuid4().hex}"  # its own bucket, also in Redis
    received: list[int] = []

    def worker() -> None:
        received.append(_page_through(_client(movidesk_server, token, 3, 1.0), 4))

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert received == [40, 40]

    served = busy_fake.list_requests()
    assert len(served) == 8
    assert [r.status for r in served] == [200] * 8
    assert time.monotonic() - started >= 2.0  # 8 requests at 3 per second
    times = sorted(r.at for r in served)
    assert all(later - earlier >= 0.95 for earlier, later in zip(times, times[3:], strict=False))


def test_a_429_retry_after_is_honoured(busy_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    # The wait itself is the base client's (one real-time test there); here: Movidesk's header is obeyed.
    busy_fake.fail_next(429, retry_after=2)
    clock = FakeClock()
    client = _client(movidesk_server, f"t-{uuid.uuid4().hex}", 0, 60.0, clock=clock)

    assert _page_through(client, 2) == 20

    first, second, third = busy_fake.list_requests()
    assert first.status == 429 and second.status == third.status == 200
    assert clock.sleeps == [2.0]


def test_the_failed_requests_block_is_waited_out_not_fed(busy_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    busy_fake.block_for(2)  # Movidesk's answer after 3 failed requests (60 s in production)
    client = _client(movidesk_server, f"t-{uuid.uuid4().hex}", 0, 60.0)

    assert _page_through(client, 3) == 30

    statuses = [r.status for r in busy_fake.list_requests()]
    assert statuses[0] == 429 and statuses[-3:] == [200, 200, 200]
    assert all(status in (200, 429) for status in statuses)  # nothing that counts as a failure


def test_refused_token_is_a_typed_error(movidesk_fake: MovideskFake, movidesk_server: FakeServer) -> None:
    with pytest.raises(AuthError), _client(movidesk_server, "bad-token", 0, 60.0) as client:
        client.tickets_page(path=TICKETS, start=START, end=END)


def test_the_filter_literal_pads_the_year_to_four_digits() -> None:
    from integrations.movidesk.client import utc_literal

    assert utc_literal(datetime(1, 1, 2, 3, 4, 5, tzinfo=UTC)) == "0001-01-02T03:04:05Z"
    assert utc_literal(datetime(2026, 5, 1, 3, 0, 0, 999, tzinfo=UTC)) == "2026-05-01T03:00:00Z"
