"""The per-service rate limiter: in-process with threads, and in Redis shared by worker processes.

Waiting is tested on a FakeClock (time advances when the limiter sleeps); one test per mechanism still
waits in real time: threads sharing the in-process limiter, and the Redis limiter (whose window runs on
Redis's own clock)."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from orchestration.outbound import BaseClient, RateLimit, ServerError, rate_limiter_for
from orchestration.outbound.rate_limit import LocalRateLimiter, RedisBuckets, RedisRateLimiter
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

ROOT = Path(__file__).resolve().parents[2]
# Timestamps are taken after the grant, so scheduling noise can bring two of them a little closer
# than they were granted; windows are checked this much shorter than the limit's.
TOLERANCE = 0.05


def most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + seconds) for i, start in enumerate(times)), default=0)


def unique_limit(requests: int, per_seconds: float) -> RateLimit:
    return RateLimit(requests=requests, per_seconds=per_seconds, key=f"test:{uuid.uuid4().hex}")


def local_limiter(limit: RateLimit) -> LocalRateLimiter:
    with override_settings(REDIS_URL=""):
        limiter = rate_limiter_for(limit)
    assert isinstance(limiter, LocalRateLimiter)
    return limiter


def test_threads_sharing_the_in_process_limiter_stay_within_the_limit() -> None:
    limiter = local_limiter(unique_limit(5, 1.0))
    granted: list[float] = []
    deadline = time.monotonic() + 2.5

    def work() -> None:
        while time.monotonic() < deadline:
            limiter.acquire()
            granted.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    in_time = [t for t in granted if t <= deadline]
    assert most_in_any_window(in_time, 1.0 - TOLERANCE) <= 5
    assert len(in_time) >= 10  # grants at 0, 1 and 2 s: the limiter lets the rate through, not less


def test_a_full_window_waits_for_the_oldest_grant_to_leave_it() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(unique_limit(3, 1.0), clock=clock)

    waits = [limiter.acquire() for _ in range(4)]

    assert waits == [0, 0, 0, 1.0]
    assert clock.sleeps == [1.0]


def test_the_window_slides_a_grant_at_a_time() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(unique_limit(2, 10.0), clock=clock)
    limiter.acquire()
    clock.advance(4)
    limiter.acquire()

    assert limiter.acquire() == 6.0  # the first grant leaves the window at 10 s
    assert limiter.acquire() == 4.0  # then the second one, 4 s later
    assert limiter.try_acquire() == 6.0


def test_every_attempt_including_retries_takes_a_slot() -> None:
    clock = FakeClock()
    hits: list[float] = []

    def handle(request: FakeRequest) -> FakeResponse:
        hits.append(clock.monotonic())
        return FakeResponse(503)

    # In-process: a FakeClock cannot move Redis's clock.
    with FakeServer(handle) as server, override_settings(REDIS_URL=""):
        client = BaseClient(
            base_url=server.url, backoff_base=0.01, max_attempts=3, rate_limit=unique_limit(2, 1.0), clock=clock
        )
        with client, pytest.raises(ServerError):
            client.request("GET", "/x")

    assert len(hits) == 3
    assert hits[2] - hits[0] >= 1.0


def test_redis_unreachable_falls_back_to_limiting_in_process() -> None:
    clock = FakeClock()
    limit = unique_limit(2, 1.0)
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2, retry=None)
    buckets = RedisBuckets(unreachable)
    asked: list[object] = []
    script = buckets.script
    buckets.script = lambda **kwargs: asked.append(kwargs) or script(**kwargs)  # type: ignore[method-assign]
    limiter = RedisRateLimiter(limit, buckets, clock=clock)

    waits = [limiter.acquire() for _ in range(3)]

    assert waits == [0, 0, 1.0]
    assert len(asked) == 1  # Redis was asked once, not before every acquire
    clock.advance(30)  # REDIS_RECHECK_SECONDS later, it is asked again
    limiter.acquire()
    assert len(asked) == 2


@pytest.mark.services
def test_the_redis_limiter_waits_for_the_oldest_grant_to_leave_the_window() -> None:
    limiter = rate_limiter_for(unique_limit(3, 1.0))
    assert isinstance(limiter, RedisRateLimiter)

    waits = [limiter.acquire() for _ in range(4)]

    assert waits[:3] == pytest.approx([0, 0, 0], abs=0.05)
    assert 0.9 <= waits[3] <= 1.3


WORKER = """
import os, sys, time
import django
django.setup()
from orchestration.outbound import BaseClient, RateLimit
url, key, start_at, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
client = BaseClient(base_url=url, rate_limit=RateLimit(requests=10, per_seconds=2.0, key=key))
time.sleep(max(0.0, start_at - time.time()))
while time.time() < start_at + seconds:
    client.request("GET", "/hit", params={"worker": os.getpid()})
"""


@pytest.mark.e2e
@pytest.mark.services
def test_two_worker_processes_sharing_one_redis_limiter_stay_under_the_rate(tmp_path: Path) -> None:
    arrivals: list[tuple[float, str]] = []

    def handle(request: FakeRequest) -> FakeResponse:
        arrivals.append((time.monotonic(), request.query["worker"]))
        return FakeResponse(204)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": settings.REDIS_URL,
        "ORQUESTRA_VAR_DIR": str(tmp_path / "var"),
    }
    key = f"test:{uuid.uuid4().hex}"
    with FakeServer(handle) as server:
        start_at = str(time.time() + 3)
        workers = [
            subprocess.Popen([sys.executable, "-c", WORKER, server.url, key, start_at, "5"], cwd=ROOT, env=env)
            for _ in range(2)
        ]
        for worker in workers:
            assert worker.wait(timeout=60) == 0

    times = [arrived for arrived, _ in arrivals]
    assert most_in_any_window(times, 2.0 - TOLERANCE) <= 10
    assert len({worker for _, worker in arrivals}) == 2
    # 5 s at 10 per 2 s is 30 grants (at 0, 2 and 4 s), plus at most one late request per worker that
    # was already waiting at the deadline: the limit holds and is used, not starved.
    assert 25 <= len(times) <= 32
