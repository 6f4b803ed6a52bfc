"""The live-log SSE endpoint, served by a real uvicorn process against the test database."""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger, User
from orchestration.services.executions import (
    execution_cancel,
    execution_create,
    execution_fail,
    execution_log,
    execution_start,
    execution_succeed,
)
from tests.conftest import database_url_for_subprocess
from tests.harness.asgi_server import AsgiServer
from tests.harness.sse_client import SseEvent, SseParser

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it


def _running_execution() -> Execution:
    execution = execution_create(kind="TEST_SSE", trigger=Trigger.MANUAL)
    return execution_start(execution=execution)


def _stream_path(execution: Execution) -> str:
    return f"/api/v1/executions/{execution.pk}/stream"


def _token_headers(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.fixture
def server(subprocess_env: dict[str, str], tmp_path: Path) -> Iterator[AsgiServer]:
    with AsgiServer(subprocess_env, tmp_path / "logs") as running:
        yield running


def _read_until_end(response: httpx.Response, on_connected: Callable[[], None] | None = None) -> list[SseEvent]:
    parser = SseParser()
    events: list[SseEvent] = []
    for chunk in response.iter_text():
        for event in parser.feed(chunk):
            if event.comment == "connected" and on_connected is not None:
                on_connected()
            if event.event in ("log", "end"):
                events.append(event)
            if event.event == "end":
                return events
    raise AssertionError(f"stream closed without an end event after {len(events)} events")


def test_a_viewer_connected_before_the_lines_receives_them_in_order_then_the_end(
    server: AsgiServer, operator_user: User
) -> None:
    execution = _running_execution()
    messages = [f"passo {number}" for number in range(1, 8)]

    def write_lines() -> None:
        for message in messages:
            execution_log(execution=execution, message=message)
        execution_log(execution=execution, message="cuidado", level=LogLevel.WARNING)
        execution_succeed(execution=execution)

    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", server.url(_stream_path(execution)), headers=_token_headers(operator_user)) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        events = _read_until_end(response, on_connected=write_lines)

    logs = [event for event in events if event.event == "log"]
    assert [event.data["message"] for event in logs][: len(messages) + 1] == [*messages, "cuidado"]
    assert logs[len(messages)].data["level"] == "WARNING"
    ids = [event.id for event in logs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(event.id == event.data["id"] for event in logs)
    assert events[-1].event == "end"
    assert events[-1].data["status"] == ExecutionStatus.SUCCEEDED
    assert events[-1].id is None


def test_a_reconnect_with_last_event_id_receives_only_newer_lines(server: AsgiServer, operator_user: User) -> None:
    execution = _running_execution()
    written = [execution_log(execution=execution, message=f"linha {number}") for number in range(10)]
    headers = _token_headers(operator_user)
    resume_after = written[5].id

    def write_more() -> None:
        execution_log(execution=execution, message="nova depois da reconexão")
        execution_fail(execution=execution, error=RuntimeError("quebrou"))

    with (
        httpx.Client(timeout=30) as client,
        client.stream(
            "GET", server.url(_stream_path(execution)), headers={**headers, "Last-Event-ID": str(resume_after)}
        ) as response,
    ):
        events = _read_until_end(response, on_connected=write_more)

    messages = [event.data["message"] for event in events if event.event == "log"]
    assert messages[:5] == [f"linha {number}" for number in range(6, 10)] + ["nova depois da reconexão"]
    assert all(event.id > resume_after for event in events if event.event == "log")
    assert events[-1].data["status"] == ExecutionStatus.FAILED
    assert events[-1].data["error"] == "quebrou"


def test_a_finished_execution_replays_from_the_query_parameter_and_ends(
    server: AsgiServer, approver_user: User
) -> None:
    execution = _running_execution()
    written = [execution_log(execution=execution, message=f"linha {number}") for number in range(4)]
    execution_cancel(execution=execution, user=approver_user)

    url = server.url(f"{_stream_path(execution)}?last_event_id={written[1].id}")
    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", url, headers=_token_headers(approver_user)) as response,
    ):
        events = _read_until_end(response)

    messages = [event.data["message"] for event in events if event.event == "log"]
    assert messages[:2] == ["linha 2", "linha 3"]
    assert messages[-1].startswith("Cancelamento solicitado")
    assert events[-1].data["status"] == ExecutionStatus.CANCELLED


def test_the_session_cookie_of_a_signed_in_user_opens_the_stream(server: AsgiServer, operator_user: User) -> None:
    execution = _running_execution()
    execution_log(execution=execution, message="já estava lá")
    execution_succeed(execution=execution)
    browser = Client()
    browser.force_login(operator_user)
    cookies = {"sessionid": browser.cookies["sessionid"].value}

    with (
        httpx.Client(timeout=30, cookies=cookies) as client,
        client.stream("GET", server.url(_stream_path(execution))) as response,
    ):
        assert response.status_code == 200
        events = _read_until_end(response)
    assert events[0].data["message"] == "já estava lá"


def test_a_hundred_viewers_on_one_process_all_receive_every_line(server: AsgiServer, operator_user: User) -> None:
    viewers, line_count = 100, 40
    execution = _running_execution()
    headers = _token_headers(operator_user)
    url = server.url(_stream_path(execution))
    all_connected = threading.Event()
    results: list[list[SseEvent]] = []
    failures: list[BaseException] = []
    threads_while_connected: list[int] = []

    async def viewer(client: httpx.AsyncClient, connected: asyncio.Semaphore) -> list[SseEvent]:
        parser, events = SseParser(), []
        async with client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_text():
                for event in parser.feed(chunk):
                    if event.comment == "connected":
                        connected.release()
                    if event.event in ("log", "end"):
                        events.append(event)
                    if event.event == "end":
                        return events
        raise AssertionError("stream closed without an end event")

    async def watch_all() -> None:
        limits = httpx.Limits(max_connections=viewers + 10, max_keepalive_connections=0)
        connected = asyncio.Semaphore(0)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            tasks = [asyncio.create_task(viewer(client, connected)) for _ in range(viewers)]
            for _ in range(viewers):
                await asyncio.wait_for(connected.acquire(), timeout=60)
            all_connected.set()
            results.extend(await asyncio.wait_for(asyncio.gather(*tasks), timeout=120))

    def run_viewers() -> None:
        try:
            asyncio.run(watch_all())
        except BaseException as error:  # reported by the test thread
            failures.append(error)
            all_connected.set()

    thread = threading.Thread(target=run_viewers, name="sse-viewers")
    thread.start()
    assert all_connected.wait(timeout=90)
    assert not failures, failures
    threads_while_connected.append(server.thread_count())
    for number in range(line_count):
        execution_log(execution=execution, message=f"linha {number}")
    execution_succeed(execution=execution)
    thread.join(timeout=150)

    assert not thread.is_alive()
    assert not failures, failures
    assert len(results) == viewers
    expected = [f"linha {number}" for number in range(line_count)]
    for events in results:
        messages = [event.data["message"] for event in events if event.event == "log"]
        assert messages[:line_count] == expected
        assert events[-1].event == "end" and events[-1].data["status"] == ExecutionStatus.SUCCEEDED
    # No thread per viewer: the process keeps a small pool whatever the number of open streams.
    assert threads_while_connected[0] < 30, f"{threads_while_connected[0]} threads for {viewers} viewers"


def test_an_idle_stream_sends_keep_alives_and_a_dropped_viewer_leaves_no_error(
    subprocess_env: dict[str, str], tmp_path: Path, operator_user: User
) -> None:
    execution = _running_execution()
    headers = _token_headers(operator_user)
    env = {**subprocess_env, "LIVE_LOG_KEEPALIVE_SECONDS": "0.3"}
    with AsgiServer(env, tmp_path / "logs") as server, httpx.Client(timeout=30) as client:
        comments: list[str] = []
        with client.stream("GET", server.url(_stream_path(execution)), headers=headers) as response:
            parser = SseParser()
            for chunk in response.iter_text():
                comments += [event.comment for event in parser.feed(chunk) if event.comment]
                if comments.count("keep-alive") >= 2:
                    break  # the viewer goes away mid-stream
        execution_log(execution=execution, message="depois da saída")
        execution_succeed(execution=execution)
        with client.stream("GET", server.url(_stream_path(execution)), headers=headers) as response:
            events = _read_until_end(response)
        log = server.log()

    assert comments[:3] == ["connected", "keep-alive", "keep-alive"]
    assert [event.data["message"] for event in events if event.event == "log"][0] == "depois da saída"
    assert "Traceback" not in log, log


@pytest.mark.services
def test_a_line_committed_after_a_newer_one_still_reaches_the_viewer(server: AsgiServer, operator_user: User) -> None:
    # Two writers of one execution (the job and a cancel from the web) can commit out of id order.
    execution = _running_execution()

    def write_out_of_order() -> None:
        with psycopg.connect(database_url_for_subprocess()) as slow:
            slow.execute(
                "INSERT INTO orchestration_executionlogline (execution_id, level, message, created_at) "
                "VALUES (%s, 'INFO', 'escrita antes, gravada depois', now())",
                [execution.pk],
            )
            execution_log(execution=execution, message="escrita depois, gravada antes")
            time.sleep(1.0)  # the viewer receives the newer line first
            slow.commit()
        time.sleep(1.0)
        execution_succeed(execution=execution)

    with (
        httpx.Client(timeout=30) as client,
        client.stream("GET", server.url(_stream_path(execution)), headers=_token_headers(operator_user)) as response,
    ):
        events = _read_until_end(response, on_connected=write_out_of_order)

    messages = [event.data["message"] for event in events if event.event == "log"]
    assert "escrita depois, gravada antes" in messages
    assert "escrita antes, gravada depois" in messages
    assert len(messages) == len(set(messages))
