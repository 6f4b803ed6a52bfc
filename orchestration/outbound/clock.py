"""The time source of the outbound mechanisms (rate limiter waits, retry waits), injectable so that tests
advance time instead of sleeping through it."""

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Blocks the caller for `seconds`."""
        ...


class SystemClock:
    """The real one: time.monotonic and time.sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
