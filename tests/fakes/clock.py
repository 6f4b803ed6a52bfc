"""A clock for tests: `sleep` advances time at once instead of blocking (see orchestration.outbound.clock)."""

import threading


class FakeClock:
    """Monotonic time that moves only when someone sleeps on it (or a test calls `advance`).

    Thread-safe; every sleep is recorded, so a test can assert how long the code under test waited."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    @property
    def slept(self) -> float:
        with self._lock:
            return sum(self.sleeps)
