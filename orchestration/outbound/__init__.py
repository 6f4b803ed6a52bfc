"""The shared base for every outbound HTTP call (see client.BaseClient)."""

from orchestration.outbound.client import BaseClient, LogFn
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
    "ClientError",
    "ConnectionFailedError",
    "ExternalApiError",
    "LogFn",
    "MalformedResponseError",
    "NotFoundError",
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "ServerError",
    "rate_limiter_for",
]
