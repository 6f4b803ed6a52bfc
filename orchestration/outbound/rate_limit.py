"""Per-service rate limits: a sliding-window log, in Redis (shared by every worker) or in this process."""

import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import redis
from django.conf import settings

from orchestration.outbound.clock import SYSTEM_CLOCK, Clock

logger = logging.getLogger(__name__)

KEY_PREFIX = "orquestra:ratelimit:"
# After Redis fails, limit in-process for this long before asking Redis again: each failed call costs
# seconds of the client's own reconnect retries.
REDIS_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` calls in any window of `per_seconds`; `key` names the shared bucket."""

    requests: int
    per_seconds: float
    key: str

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0 or not self.key:
            raise ValueError(f"invalid rate limit {self!r}")


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Blocks until a slot is free; returns the seconds waited."""
        ...


class LocalRateLimiter:
    """Thread-safe sliding-window log for one process."""

    def __init__(self, limit: RateLimit, clock: Clock = SYSTEM_CLOCK) -> None:
        self.limit = limit
        self.clock = clock
        self._granted: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Takes a slot and returns 0, or returns how long to wait before asking again."""
        with self._lock:
            now = self.clock.monotonic()
            while self._granted and self._granted[0] <= now - self.limit.per_seconds:
                self._granted.popleft()
            if len(self._granted) < self.limit.requests:
                self._granted.append(now)
                return 0.0
            return self._granted[0] + self.limit.per_seconds - now

    def acquire(self) -> float:
        started = self.clock.monotonic()
        while (wait := self.try_acquire()) > 0:
            self.clock.sleep(wait)
        return self.clock.monotonic() - started


# Clock from Redis itself, so processes on different machines agree on the window. Times in microseconds.
# Returns 0 when a slot was taken, else the microseconds until the oldest grant leaves the window.
_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""


class RedisBuckets:
    """One Redis connection and whether it is usable, shared by every limiter of the process."""

    def __init__(self, client: redis.Redis) -> None:
        self.script = client.register_script(_ACQUIRE)
        self.unavailable_until = 0.0


class RedisRateLimiter:
    """Sliding-window log in one sorted set, checked and updated atomically by one Lua script.

    The window runs on Redis's clock; `clock` times the waits and the in-process fallback."""

    def __init__(self, limit: RateLimit, buckets: RedisBuckets, clock: Clock = SYSTEM_CLOCK) -> None:
        self.limit = limit
        self.key = KEY_PREFIX + limit.key
        self.buckets = buckets
        self.clock = clock
        self._fallback = local_rate_limiter(limit, clock)

    def try_acquire(self) -> float:
        window_us = int(self.limit.per_seconds * 1_000_000)
        args: list[str | int] = [self.limit.requests, window_us, uuid.uuid4().hex]
        return int(self.buckets.script(keys=[self.key], args=args)) / 1_000_000

    def acquire(self) -> float:
        started = self.clock.monotonic()
        while True:
            if self.clock.monotonic() < self.buckets.unavailable_until:
                self._fallback.acquire()
                return self.clock.monotonic() - started
            try:
                wait = self.try_acquire()
            except redis.RedisError as error:
                # Redis down must not stop every integration: limit this process alone until it is back.
                logger.warning("rate limiter %s: Redis unavailable (%s); limiting in-process", self.key, error)
                self.buckets.unavailable_until = self.clock.monotonic() + REDIS_RECHECK_SECONDS
                continue
            if wait <= 0:
                return self.clock.monotonic() - started
            self.clock.sleep(wait)


_local_limiters: dict[RateLimit, LocalRateLimiter] = {}
_local_limiters_lock = threading.Lock()


def local_rate_limiter(limit: RateLimit, clock: Clock = SYSTEM_CLOCK) -> LocalRateLimiter:
    """The one in-process limiter of this bucket, so every client in the process shares it.
    On another clock than the system's (tests), a limiter of its own."""
    if clock is not SYSTEM_CLOCK:
        return LocalRateLimiter(limit, clock)
    with _local_limiters_lock:
        limiter = _local_limiters.get(limit)
        if limiter is None:
            limiter = _local_limiters[limit] = LocalRateLimiter(limit)
        return limiter


@lru_cache(maxsize=4)
def _redis_buckets(url: str) -> RedisBuckets:
    return RedisBuckets(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5))


def rate_limiter_for(limit: RateLimit, clock: Clock = SYSTEM_CLOCK) -> RateLimiter:
    """Redis-backed (shared by all processes) when settings.REDIS_URL is set, else in-process."""
    if settings.REDIS_URL:
        return RedisRateLimiter(limit, _redis_buckets(settings.REDIS_URL), clock)
    return local_rate_limiter(limit, clock)
