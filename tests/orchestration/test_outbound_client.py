"""The shared outbound client against a real local HTTP server: retries, typed errors, redaction.

Retry waits run on a FakeClock (the client's sleeps advance it at once and are recorded); one test still
waits for a real Retry-After."""

import logging
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from orchestration.models import ExecutionLogLine
from orchestration.outbound import (
    AuthError,
    BaseClient,
    ClientError,
    ConnectionFailedError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from orchestration.outbound.client import parse_retry_after
from orchestration.outbound.clock import SYSTEM_CLOCK
from orchestration.services.executions import execution_create
from orchestration.services.runner import JobContext
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

TOKEN = "tok-9f8e7d6c5b4a"  # noqa: S105


class Script:
    """Answers with the given responses in order (the last one repeats); records when each hit arrived."""

    def __init__(self, *responses: FakeResponse) -> None:
        self.responses = list(responses)
        self.hits: list[float] = []

    def __call__(self, request: FakeRequest) -> FakeResponse:
        self.hits.append(time.monotonic())
        return self.responses[min(len(self.hits), len(self.responses)) - 1]


@pytest.fixture
def serve() -> Iterator:
    servers: list[FakeServer] = []

    def start(*responses: FakeResponse) -> tuple[FakeServer, Script]:
        script = Script(*responses)
        servers.append(FakeServer(script).start())
        return servers[-1], script

    yield start
    for server in servers:
        server.stop()


def client_for(url: str, **options) -> BaseClient:  # type: ignore[no-untyped-def]
    options = {"backoff_base": 0.01, "timeout": (1.0, 2.0), "clock": FakeClock(), **options}
    return BaseClient(base_url=url, **options)


def test_429_with_retry_after_2_is_retried_after_about_2_seconds(serve) -> None:  # type: ignore[no-untyped-def]
    # The one real-time wait: the client really sleeps on the system clock.
    server, script = serve(FakeResponse(429, "devagar", {"Retry-After": "2"}), FakeResponse.json({"ok": True}))

    with client_for(server.url, clock=SYSTEM_CLOCK) as client:
        assert client.get_json("/items") == {"ok": True}

    assert len(script.hits) == 2
    assert 1.8 <= script.hits[1] - script.hits[0] <= 3.0


def test_retry_after_wins_over_the_backoff_in_seconds_or_as_a_date(serve) -> None:  # type: ignore[no-untyped-def]
    in_40_seconds = format_datetime(timezone.now() + timedelta(seconds=40), usegmt=True)
    server, script = serve(
        FakeResponse(429, headers={"Retry-After": "30"}),
        FakeResponse(503, headers={"Retry-After": in_40_seconds}),
        FakeResponse.json({"ok": True}),
    )
    clock = FakeClock()

    with client_for(server.url, clock=clock, backoff_base=1000) as client:
        assert client.get_json("/items") == {"ok": True}

    assert len(script.hits) == 3
    assert clock.sleeps[0] == 30
    assert 38 <= clock.sleeps[1] <= 40


def test_backoff_is_exponential_with_full_jitter_and_capped(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(503))
    clock = FakeClock()

    client = client_for(server.url, clock=clock, backoff_base=0.5, backoff_max=3.0, max_attempts=6)
    with client, pytest.raises(ServerError) as caught:
        client.request("GET", "/items")

    assert len(script.hits) == 6 and len(clock.sleeps) == 5
    for number, slept in enumerate(clock.sleeps, start=1):
        assert 0 <= slept <= min(3.0, 0.5 * 2 ** (number - 1))
    # Each attempt records the wait before it.
    assert [attempt.waited_seconds for attempt in caught.value.attempts] == [0.0, *clock.sleeps]


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    in_30_seconds = format_datetime(timezone.now() + timedelta(seconds=30), usegmt=True)
    assert 28 <= parse_retry_after(in_30_seconds) <= 30
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("quando der") is None
    assert parse_retry_after(None) is None


@pytest.mark.django_db
def test_five_503s_end_in_server_error_with_every_attempt_in_the_execution_log(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(503, "fora do ar"))
    execution = execution_create(kind="TEST")

    client = client_for(server.url, log=JobContext(execution=execution).log)
    with client, pytest.raises(ServerError) as caught:
        client.request("GET", "/tickets", params={"$top": 100})

    error = caught.value
    assert len(script.hits) == 5
    assert error.status == 503 and len(error.attempts) == 5
    assert [attempt.number for attempt in error.attempts] == [1, 2, 3, 4, 5]
    assert all(attempt.status == 503 for attempt in error.attempts)
    assert "fora do ar" in error.body_excerpt and "503" in str(error) and "/tickets" in str(error)
    lines = list(ExecutionLogLine.objects.filter(execution=execution).values_list("level", "message"))
    assert len(lines) == 5
    assert all(f"GET {server.url}/tickets?$top=100 → 503 em" in message for _, message in lines)
    assert "nova tentativa em" in lines[0][1] and "(tentativa 2/5)" in lines[0][1]
    assert lines[-1] == ("ERROR", lines[-1][1]) and "desistindo após 5 tentativas" in lines[-1][1]


def test_a_connect_timeout_is_retried_and_the_retry_succeeds() -> None:
    server = FakeServer(Script(FakeResponse.json({"ok": True})))
    # A backlog of one, taken by a connection nobody accepts: the next SYN is dropped, so connect times out.
    server.httpd.socket.listen(0)
    filler = socket.create_connection(server.httpd.server_address[:2])
    lines: list[tuple[str, str]] = []

    def log(message: str, level: str) -> None:
        lines.append((message, level))
        if len(lines) == 1:  # the first attempt timed out: free the queue and start serving
            accepted, _ = server.httpd.socket.accept()
            accepted.close()
            server.start()

    try:
        with client_for(server.url, timeout=(0.5, 2.0), log=log) as client:
            assert client.get_json("/ping") == {"ok": True}
    finally:
        filler.close()
        server.stop()

    assert "tempo de conexão esgotado" in lines[0][0] and "nova tentativa" in lines[0][0]
    assert lines[-1][1] == "DEBUG" and "→ 200" in lines[-1][0]
    assert len(server.requests) == 1


def test_a_read_timeout_is_retried(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(200, b"{}", delay_seconds=1.5), FakeResponse.json([1, 2]))

    with client_for(server.url, timeout=(1.0, 0.5)) as client:
        assert client.get_json("/slow") == [1, 2]

    assert len(script.hits) == 2


def test_a_refused_connection_ends_in_connection_failed_error_after_every_attempt() -> None:
    client = client_for(f"http://127.0.0.1:{free_port()}", max_attempts=3)
    with client, pytest.raises(ConnectionFailedError) as caught:
        client.request("GET", "/")

    assert len(caught.value.attempts) == 3
    assert caught.value.status is None
    assert "Connection refused" in caught.value.attempts[0].error


@pytest.mark.django_db
def test_the_token_never_appears_in_any_log_line_or_error(serve, caplog) -> None:  # type: ignore[no-untyped-def]
    echo = f'{{"erro": "token {TOKEN} inválido", "token": "{TOKEN}", "url": "/x?token={TOKEN}"}}'
    server, script = serve(FakeResponse(503, echo), FakeResponse(503, echo), FakeResponse.json({"token": TOKEN}))
    execution = execution_create(kind="TEST")
    caplog.set_level(logging.DEBUG)
    headers = {"Authorization": f"Bearer {TOKEN}-bearer", "X-Api-Key": f"{TOKEN}-key"}

    with client_for(server.url, secrets=[TOKEN], log=JobContext(execution=execution).log, max_attempts=2) as client:
        with pytest.raises(ServerError) as caught:
            client.request("GET", f"/path/{TOKEN}", params={"token": TOKEN, "$top": 1}, headers=headers)
        assert client.get_json("/ok", params={"api_key": "outro-segredo"}) == {"token": TOKEN}

    assert server.requests[0].query["token"] == TOKEN  # it was sent, just never shown
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}-bearer"
    error = caught.value
    shown = [
        str(error),
        error.body_excerpt,
        *(attempt.url for attempt in error.attempts),
        *ExecutionLogLine.objects.filter(execution=execution).values_list("message", flat=True),
        *(record.getMessage() for record in caplog.records),
    ]
    assert len(shown) > 6
    for text in shown:
        assert TOKEN not in text and "outro-segredo" not in text
    assert "token=***" in error.attempts[0].url and "/path/***" in error.attempts[0].url
    assert '"token": "***"' in error.body_excerpt


def test_401_is_an_auth_error_and_is_not_retried(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(401, "credenciais inválidas"))

    with client_for(server.url) as client, pytest.raises(AuthError) as caught:
        client.request("GET", "/me")

    assert len(script.hits) == 1
    assert caught.value.status == 401 and len(caught.value.attempts) == 1


def test_400_is_a_client_error_and_is_not_retried(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(400, "campo inválido"))

    with client_for(server.url) as client, pytest.raises(ClientError) as caught:
        client.request("PUT", "/items/1", json={"a": 1})

    assert len(script.hits) == 1
    assert not isinstance(caught.value, NotFoundError)
    assert "campo inválido" in caught.value.body_excerpt


def test_404_is_a_not_found_error(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(404))

    with client_for(server.url) as client, pytest.raises(NotFoundError):
        client.get_json("/items/9")

    assert len(script.hits) == 1


def test_a_body_that_is_not_json_is_a_malformed_response(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(200, "<html>manutenção</html>"))

    with client_for(server.url) as client, pytest.raises(MalformedResponseError) as caught:
        client.get_json("/items")

    assert len(script.hits) == 1
    assert caught.value.status == 200 and "manutenção" in caught.value.body_excerpt


def test_dollar_parameters_reach_the_server_unencoded(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse.json([]))
    params = [("$filter", "lastUpdate gt 2024-05-01T00:00:00Z and status eq 'Novo'"), ("$top", 100), ("a", "x&y+z")]

    with client_for(server.url) as client:
        client.get_json("/tickets", params=params)

    request = server.requests[0]
    assert request.raw_query.startswith("$filter=lastUpdate%20gt%202024-05-01T00:00:00Z%20and%20status%20eq%20'Novo'")
    assert "%24" not in request.raw_query
    assert request.query == {"$filter": params[0][1], "$top": "100", "a": "x&y+z"}


def test_a_post_is_not_retried_on_503_unless_forced(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(503))

    with client_for(server.url, max_attempts=3) as client:
        with pytest.raises(ServerError):
            client.request("POST", "/items", json={})
        assert len(script.hits) == 1
        with pytest.raises(ServerError):
            client.request("POST", "/items", json={}, retry=True)
        assert len(script.hits) == 4


def test_a_429_is_retried_for_any_method_but_never_when_retry_is_off(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(429, headers={"Retry-After": "0"}), FakeResponse(201))

    with client_for(server.url) as client:
        assert client.request("POST", "/items", json={}).status_code == 201
        with pytest.raises(RateLimitedError):
            script.hits.clear()
            client.request("GET", "/items", retry=False)

    assert len(script.hits) == 1


def test_a_retry_after_longer_than_we_may_wait_gives_up_with_the_hint(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse(429, headers={"Retry-After": "3600"}))

    with client_for(server.url, max_retry_after=60) as client, pytest.raises(RateLimitedError) as caught:
        client.request("GET", "/items")

    assert len(script.hits) == 1
    assert caught.value.retry_after == 3600


def test_errors_survive_pickling_for_celery(serve) -> None:  # type: ignore[no-untyped-def]
    server, _ = serve(FakeResponse(429, "espere", {"Retry-After": "999"}))
    with client_for(server.url, max_retry_after=1) as client, pytest.raises(RateLimitedError) as caught:
        client.request("GET", "/items")

    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301

    assert type(copy) is RateLimitedError
    assert str(copy) == str(caught.value)
    assert copy.retry_after == 999 and copy.attempts == caught.value.attempts


def test_concurrent_requests_from_threads_share_one_client(serve) -> None:  # type: ignore[no-untyped-def]
    server, script = serve(FakeResponse.json({"ok": True}))
    results: list[object] = []

    with client_for(server.url) as client:
        threads = [threading.Thread(target=lambda: results.append(client.get_json("/x"))) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert results == [{"ok": True}] * 8
