"""The shared base for every outbound HTTP call (see client.BaseClient)."""

from orchestration.outbound.client import BaseClient, LogFn
from orchestration.outbound.clock import SYSTEM_CLOCK, Clock, SystemClock
from orchestration.outbound.errors import (
    Attempt,
    AuthError,
    ClientError,
    ConnectionFailedError,
    ExternalApiError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from orchestration.outbound.rate_limit import RateLimit, RateLimiter, rate_limiter_for

__all__ = [
    "Attempt",
    "AuthError",
    "BaseClient",
    "Clock",
    "ClientError",
    "ConnectionFailedError",
    "ExternalApiError",
    "LogFn",
    "MalformedResponseError",
    "NotFoundError",
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "SYSTEM_CLOCK",
    "ServerError",
    "SystemClock",
    "rate_limiter_for",
]
