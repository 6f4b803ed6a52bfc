"""One poll loop per watched execution per process, fanned out to the queues of all its viewers.

A hundred people watching one execution cost one query pair every poll interval, not a hundred, and
no thread: the loop is an asyncio task and its reads run briefly on the event loop's thread pool.
"""

import asyncio
import logging
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from django.conf import settings

from orchestration.live import store
from orchestration.live.store import ExecutionState, LogLine

logger = logging.getLogger(__name__)

# A finished execution may still get a line or two (a cancel writes its line after the status); the
# watcher waits this many quiet polls after seeing a final status before it sends the end.
QUIET_POLLS_BEFORE_END = 2
# After a failed read the watcher waits this long, at most, before it tries again.
MAX_ERROR_BACKOFF_SECONDS = 5.0
# Two writers of one execution (the job and a cancel from the web) can commit out of id order on
# PostgreSQL: a lower id may become visible after a higher one was streamed. Lines are re-read this far
# back, and the ones already handed out are skipped, so such a line still reaches the viewers.
LATE_COMMIT_SECONDS = 5.0


@dataclass
class Delivery:
    lines: list[LogLine] = field(default_factory=list)
    # The viewer fell too far behind and its pending lines were dropped: it re-reads from the store.
    fell_behind: bool = False
    end: ExecutionState | None = None
    # The execution disappeared (deleted): close without an end event.
    gone: bool = False


class Subscription:
    """What one viewer has not read yet. Filled by the watcher, drained by the viewer's stream."""

    def __init__(self, max_pending: int) -> None:
        self._lines: deque[LogLine] = deque()
        self._wakeup = asyncio.Event()
        self._max_pending = max_pending
        self._fell_behind = False
        self._end: ExecutionState | None = None
        self._gone = False

    def push(self, lines: list[LogLine]) -> None:
        if self._fell_behind:
            return
        if len(self._lines) + len(lines) > self._max_pending:
            self._lines.clear()
            self._fell_behind = True
        else:
            self._lines.extend(lines)
        self._wakeup.set()

    def finish(self, state: ExecutionState | None) -> None:
        self._end = state
        self._gone = state is None
        self._wakeup.set()

    def _has_news(self) -> bool:
        return bool(self._lines) or self._fell_behind or self._end is not None or self._gone

    async def next(self, timeout: float) -> Delivery | None:
        """What arrived since the last call; waits up to `timeout` seconds, then returns None."""
        if not self._has_news():
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                return None
        delivery = Delivery(list(self._lines), self._fell_behind, self._end, self._gone)
        self._lines.clear()
        self._fell_behind = False
        return delivery


class ExecutionWatcher:
    """Polls one execution for new lines and its status while anyone watches it."""

    def __init__(self, hub: "LiveLogHub", execution_id: int) -> None:
        self.hub = hub
        self.execution_id = execution_id
        self.subscriptions: set[Subscription] = set()
        # Set once the starting line id is known: a viewer reads its backlog only after that, so no
        # line can fall between its backlog and what the watcher hands it.
        self.ready = asyncio.Event()
        self.last_id = 0
        self.polls = 0
        # Ids handed out in the last LATE_COMMIT_SECONDS, oldest first; below `settled_id` nothing is re-read.
        self._recent: deque[tuple[float, int]] = deque()
        self._recent_ids: set[int] = set()
        self.settled_id = 0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name=f"live-log-{self.execution_id}")

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def _run(self) -> None:
        try:
            await self._watch()
        except asyncio.CancelledError:
            pass
        finally:
            self.hub._forget(self)

    async def _watch(self) -> None:
        failures = 0
        quiet_after_end = 0
        while self.subscriptions:
            try:
                if not self.ready.is_set():
                    self.last_id = await store.last_line_id(self.execution_id)
                    self.settled_id = self.last_id
                    self.ready.set()
                await asyncio.sleep(self.hub.poll_seconds)
                # Status first, lines second: every line written before the final status is then read.
                state = await store.execution_state(self.execution_id)
                lines = await self._read_new_lines()
                self.polls += 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                logger.exception("live log watcher of execution %s could not read", self.execution_id)
                await asyncio.sleep(min(MAX_ERROR_BACKOFF_SECONDS, self.hub.poll_seconds * 2**failures))
                continue
            if lines:
                for subscription in list(self.subscriptions):
                    subscription.push(lines)
            if state is None:
                self._close(None)
                return
            if state.is_finished:
                quiet_after_end = 0 if lines else quiet_after_end + 1
                if quiet_after_end >= QUIET_POLLS_BEFORE_END:
                    self._close(state)
                    return

    async def _read_new_lines(self) -> list[LogLine]:
        now = time.monotonic()
        while self._recent and now - self._recent[0][0] > LATE_COMMIT_SECONDS:
            _, settled = self._recent.popleft()
            self._recent_ids.discard(settled)
            self.settled_id = max(self.settled_id, settled)
        lines: list[LogLine] = []
        after = self.settled_id
        while True:
            batch = await store.lines_after(self.execution_id, after)
            for line in batch:
                if line.id not in self._recent_ids:
                    lines.append(line)
                    self._recent.append((now, line.id))
                    self._recent_ids.add(line.id)
            if batch:
                after = batch[-1].id
                self.last_id = max(self.last_id, after)
            if len(batch) < store.BATCH_SIZE:
                return lines

    def _close(self, state: ExecutionState | None) -> None:
        # No await between forgetting and finishing: a viewer arriving now gets a new watcher.
        self.hub._forget(self)
        for subscription in list(self.subscriptions):
            subscription.finish(state)


class LiveLogHub:
    """The watchers of one event loop (one ASGI process), keyed by execution id."""

    def __init__(self, poll_seconds: float, max_pending: int) -> None:
        self.poll_seconds = poll_seconds
        self.max_pending = max_pending
        self._watchers: dict[int, ExecutionWatcher] = {}

    @asynccontextmanager
    async def subscribe(self, execution_id: int) -> AsyncIterator[Subscription]:
        watcher = self._watchers.get(execution_id)
        if watcher is None:
            watcher = ExecutionWatcher(self, execution_id)
            self._watchers[execution_id] = watcher
            subscription = self._attach(watcher)
            watcher.start()
        else:
            subscription = self._attach(watcher)
        try:
            await watcher.ready.wait()
            yield subscription
        finally:
            watcher.subscriptions.discard(subscription)
            if not watcher.subscriptions:
                watcher.stop()
                self._forget(watcher)

    def _attach(self, watcher: ExecutionWatcher) -> Subscription:
        subscription = Subscription(self.max_pending)
        watcher.subscriptions.add(subscription)
        return subscription

    def _forget(self, watcher: ExecutionWatcher) -> None:
        if self._watchers.get(watcher.execution_id) is watcher:
            del self._watchers[watcher.execution_id]

    def watcher_for(self, execution_id: int) -> ExecutionWatcher | None:
        return self._watchers.get(execution_id)

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    async def close(self) -> None:
        watchers = list(self._watchers.values())
        for watcher in watchers:
            watcher.stop()
        for watcher in watchers:
            if watcher.task is not None:
                with suppress(asyncio.CancelledError):
                    await watcher.task


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LiveLogHub]" = weakref.WeakKeyDictionary()


def live_hub() -> LiveLogHub:
    """The hub of the running event loop; an ASGI process has one loop, so one hub."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = LiveLogHub(
            poll_seconds=settings.LIVE_LOG_POLL_SECONDS,
            max_pending=settings.LIVE_LOG_MAX_PENDING_LINES,
        )
        _hubs[loop] = hub
    return hub
