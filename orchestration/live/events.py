"""The Server-Sent Events of one execution: its lines (`log`), then one `end` with the final status."""

import json
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from django.conf import settings

from orchestration.live import store
from orchestration.live.hub import live_hub
from orchestration.live.store import ExecutionState, LogLine

# How long a browser's EventSource waits before it reconnects after a dropped connection.
RECONNECT_MILLISECONDS = 3000
# How many sent line ids one stream remembers to skip repeats; far more than a late-commit window holds.
SENT_IDS_REMEMBERED = 10_000


class SentIds:
    """The last SENT_IDS_REMEMBERED line ids one stream sent: membership in O(1), memory bounded."""

    def __init__(self) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()

    def __contains__(self, line_id: object) -> bool:
        return line_id in self._ids

    def extend(self, line_ids: Iterable[int]) -> None:
        for line_id in line_ids:
            self._order.append(line_id)
            self._ids.add(line_id)
        while len(self._order) > SENT_IDS_REMEMBERED:
            self._ids.discard(self._order.popleft())


def sse_event(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    # One JSON line: a message with newlines can never break the event framing.
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _log_events(lines: list[LogLine]) -> str:
    return "".join(sse_event("log", line.as_dict(), line.id) for line in lines)


def _end_event(state: ExecutionState) -> str:
    return sse_event("end", state.as_dict())


async def _backlog(execution_id: int, after_id: int) -> AsyncIterator[list[LogLine]]:
    while True:
        batch = await store.lines_after(execution_id, after_id)
        if batch:
            yield batch
            after_id = batch[-1].id
        if len(batch) < store.BATCH_SIZE:
            return


async def execution_events(execution_id: int, after_id: int = 0) -> AsyncIterator[str]:
    """Lines with id > after_id already stored, then new ones as they are written, then the end."""
    opening = f"retry: {RECONNECT_MILLISECONDS}\n: connected\n\n"
    state = await store.execution_state(execution_id)
    if state is None:
        return
    if state.is_finished:
        yield opening
        async for batch in _backlog(execution_id, after_id):
            yield _log_events(batch)
        yield _end_event(state)
        return

    keepalive = settings.LIVE_LOG_KEEPALIVE_SECONDS
    async with live_hub().subscribe(execution_id) as subscription:
        yield opening
        sent = after_id
        # Ids already sent, so a line the watcher re-reads (late commits, see hub.LATE_COMMIT_SECONDS) or
        # that the backlog already carried goes out once; bounded, the late-commit window is short.
        sent_ids = SentIds()
        async for batch in _backlog(execution_id, sent):
            yield _log_events(batch)
            sent = batch[-1].id
            sent_ids.extend(line.id for line in batch)
        while True:
            delivery = await subscription.next(timeout=keepalive)
            if delivery is None:
                yield ": keep-alive\n\n"
                continue
            if delivery.fell_behind:
                async for batch in _backlog(execution_id, sent):
                    yield _log_events(batch)
                    sent = batch[-1].id
                    sent_ids.extend(line.id for line in batch)
            fresh = [line for line in delivery.lines if line.id > after_id and line.id not in sent_ids]
            if fresh:
                yield _log_events(fresh)
                sent = max(sent, fresh[-1].id)
                sent_ids.extend(line.id for line in fresh)
            if delivery.gone:
                return
            if delivery.end is not None:
                yield _end_event(delivery.end)
                return
