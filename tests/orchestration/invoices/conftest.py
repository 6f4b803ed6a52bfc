"""Fixtures of the invoice pipeline's tests: the RPA fake on a real HTTP server (one per module, reset per
test), settings pointing the product at it, and a driver that runs the remote-job monitor in-process."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orchestration.services.remote_jobs import TickResult, remote_jobs_tick
from tests.fakes.rpa import DEFAULT_TOKEN, RpaFake
from tests.fakes.server import FakeServer


class RpaFakeHolder:
    """The module's server; `fake` is replaced by a fresh RpaFake for each test."""

    def __init__(self) -> None:
        self.fake = RpaFake(job_seconds=0.3, queue_seconds=0.0)
        self.server = FakeServer(lambda request: self.fake.handle(request))


@pytest.fixture(scope="module")
def rpa_holder() -> Iterator[RpaFakeHolder]:
    holder = RpaFakeHolder()
    with holder.server:
        yield holder


@pytest.fixture
def rpa_fake(rpa_holder: RpaFakeHolder, settings: Any) -> RpaFake:
    rpa_holder.fake = RpaFake(job_seconds=0.3, queue_seconds=0.0, retry_after=0.2)
    settings.RPA_API_URL = rpa_holder.server.url
    settings.RPA_API_TOKEN = DEFAULT_TOKEN
    settings.RPA_POLL_SECONDS = 0.1
    settings.RPA_RETRY_BACKOFF_SECONDS = 0.1
    settings.RPA_JOB_TIMEOUT_SECONDS = 30
    settings.RPA_MAX_CONCURRENT_JOBS = 4
    settings.RPA_MAX_ATTEMPTS = 3
    settings.DEMO_SIMULATORS = False
    # In-process ticks run in the test's transaction: threads (own connections) would not see its rows.
    settings.REMOTE_JOBS_TICK_THREADS = 1
    return rpa_holder.fake


def drive(until: Callable[[], Any], *, timeout: float = 20.0) -> list[TickResult]:
    """Runs monitor ticks in this process until `until()` is truthy."""
    ticks = []
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the monitor did not get there in {timeout:.0f} s: {ticks[-3:]}")
        ticks.append(remote_jobs_tick())
        time.sleep(0.05)
    return ticks
