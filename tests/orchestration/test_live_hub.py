"""The per-process hub: one poll loop per watched execution, whatever the number of viewers."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack

import pytest
from django.db import connections

from orchestration.live.hub import LiveLogHub, Subscription
from orchestration.live.store import LogLine
from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed

pytestmark = pytest.mark.django_db(transaction=True)


def _running_execution() -> Execution:
    return execution_start(execution=execution_create(kind="TEST_HUB", trigger=Trigger.MANUAL))


async def _drain(subscription: Subscription) -> tuple[list[LogLine], str]:
    lines: list[LogLine] = []
    while True:
        delivery = await subscription.next(timeout=10)
        assert delivery is not None, "nothing delivered for 10 s"
        lines.extend(delivery.lines)
        if delivery.end is not None:
            return lines, delivery.end.status


def test_fifty_viewers_of_one_execution_share_one_watcher_that_stops_when_they_leave() -> None:
    execution = _running_execution()
    outcome: dict[str, object] = {}
    subscribed = threading.Event()

    async def scenario() -> None:
        # One worker thread, so its database connection can be closed at the end (the test database
        # is dropped after the run, which PostgreSQL refuses while a connection is open).
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
        try:
            await watch()
        finally:
            await loop.run_in_executor(None, connections.close_all)

    async def watch() -> None:
        hub = LiveLogHub(poll_seconds=0.05, max_pending=1000)
        async with AsyncExitStack() as stack:
            subscriptions = [await stack.enter_async_context(hub.subscribe(execution.pk)) for _ in range(50)]
            outcome["watchers"] = hub.watcher_count
            subscribed.set()
            outcome["results"] = await asyncio.gather(*(_drain(s) for s in subscriptions))
        outcome["watchers_after"] = hub.watcher_count

    thread = threading.Thread(target=lambda: asyncio.run(scenario()))
    thread.start()
    assert subscribed.wait(timeout=10)
    for number in range(30):
        execution_log(execution=execution, message=f"linha {number}")
    execution_succeed(execution=execution)
    thread.join(timeout=30)

    assert outcome["watchers"] == 1
    assert outcome["watchers_after"] == 0
    expected = [f"linha {number}" for number in range(30)]
    for lines, status in outcome["results"]:  # type: ignore[union-attr]
        assert [line.message for line in lines][:30] == expected
        assert status == ExecutionStatus.SUCCEEDED


def test_a_viewer_that_falls_behind_is_told_to_reread_instead_of_growing_its_queue() -> None:
    subscription = Subscription(max_pending=3)
    lines = [LogLine(number, "INFO", f"linha {number}", "") for number in range(1, 6)]

    async def scenario() -> tuple[int, bool]:
        subscription.push(lines[:2])
        subscription.push(lines[2:])
        delivery = await subscription.next(timeout=1)
        assert delivery is not None
        return len(delivery.lines), delivery.fell_behind

    assert asyncio.run(scenario()) == (0, True)
