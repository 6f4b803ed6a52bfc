"""The Google client on its own, against the fake: retries of 5xx and 429 (Retry-After honoured), timeouts and
malformed bodies as our typed errors, the shared limiter counting every call of a batch."""

from datetime import UTC, datetime, timedelta

import pytest

from calendar_sync.clients.google_calendar import GoogleCalendarClient, GoogleTokens, OAuthConfig
from calendar_sync.clients.google_calendar_records import BatchOperation, EventDraft
from orchestration.outbound import ConnectionFailedError, MalformedResponseError, ServerError
from tests.fakes.clock import FakeClock
from tests.fakes.google_calendar import GoogleCalendarFake, google_error
from tests.fakes.google_oauth import CLIENT_ID, CLIENT_SECRET
from tests.fakes.server import FakeResponse, FakeServer

EMAIL = "cliente@example.com"


@pytest.fixture
def fake_and_client(settings):  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""  # an in-process limiter on the fake clock
    fake = GoogleCalendarFake()
    fake.add_user(EMAIL)
    with FakeServer(fake.handle) as server:
        access, refresh = fake.oauth.issue_tokens(EMAIL)
        oauth = OAuthConfig(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri="http://x/cb",
            auth_url=f"{server.url}/o/oauth2/auth",
            token_url=f"{server.url}/token",
            revoke_url=f"{server.url}/revoke",
        )
        tokens = GoogleTokens(access, refresh, datetime.now(UTC) + timedelta(hours=1))
        clock = FakeClock()

        def make(**options: object) -> GoogleCalendarClient:
            return GoogleCalendarClient(
                api_url=f"{server.url}/",
                tokens=tokens,
                oauth=oauth,
                user_key="u1",
                clock=clock,
                **{"rate_limit_per_minute": 0, **options},
            )  # type: ignore[arg-type]

        yield fake, make, clock


def test_server_errors_and_429_are_retried_honouring_retry_after(fake_and_client) -> None:  # type: ignore[no-untyped-def]
    fake, make, clock = fake_and_client
    fake.faults.append(google_error(503, "backendError", "Backend Error"))
    fake.fail_next(429, "rateLimitExceeded", retry_after="7")
    client = make()

    assert [c.id for c in client.calendar_list()][0] == EMAIL
    assert 7 in clock.sleeps and client.requests_sent == 3

    for _ in range(5):
        fake.faults.append(google_error(500, "backendError", "Backend Error"))
    with pytest.raises(ServerError, match="HTTP 500"):
        client.calendar_list()


def test_a_timeout_and_a_malformed_body_are_typed_errors(fake_and_client) -> None:  # type: ignore[no-untyped-def]
    fake, make, _clock = fake_and_client
    client = make(timeout=0.2, max_attempts=2)
    fake.faults.extend([FakeResponse(200, b"{}", delay_seconds=0.6), FakeResponse(200, b"{}", delay_seconds=0.6)])
    with pytest.raises(ConnectionFailedError, match="tempo de resposta esgotado"):
        client.calendar_list()

    fake.faults.append(FakeResponse(200, b"{not json", {"Content-Type": "application/json"}))
    with pytest.raises(MalformedResponseError):
        make().calendar_list()


def test_the_limiter_takes_one_slot_per_call_inside_a_batch(fake_and_client) -> None:  # type: ignore[no-untyped-def]
    fake, make, clock = fake_and_client
    client = make(rate_limit_per_minute=5)
    start = datetime.now(UTC) + timedelta(days=1)
    operations = [
        BatchOperation(
            key=str(n),
            method="insert",
            draft=EventDraft(
                id=f"orqbench{n:04d}",
                summary="x",
                description="",
                start=start,
                end=start + timedelta(minutes=30),
                time_zone="UTC",
                app_id=str(n),
            ),
        )
        for n in range(8)
    ]

    outcomes = client.events_batch(EMAIL, operations)

    assert all(outcome.error is None for outcome in outcomes)
    assert client.requests_sent == 1 and client.calls_sent == 8
    assert clock.slept >= 60  # 8 calls at 5 a minute: the limiter waited a window
