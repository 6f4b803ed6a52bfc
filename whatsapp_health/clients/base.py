"""What every provider client offers: the session's real state, normalised into our status codes."""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from orchestration.outbound import LogFn


@dataclass(frozen=True)
class SessionEndpoint:
    """Where and how to reach one session: plain values, so a check can run in a thread without the ORM."""

    session_id: int
    provider: str
    base_url: str
    api_key: str
    instance: str


@dataclass(frozen=True)
class ProviderState:
    """A provider's answer: our status code, the provider's own state as sent, and its reason if any."""

    status: str
    raw_state: str
    reason: str = ""


class SessionProviderClient(Protocol):
    def fetch_state(self) -> ProviderState:
        """The session's real state now. Raises an ExternalApiError (or a subclass) when the provider does not
        answer, refuses, or answers something that is not a state."""
        ...

    def close(self) -> None: ...


def base_client_options(endpoint: SessionEndpoint, log: LogFn | None) -> dict[str, object]:
    timeout = settings.WHATSAPP_CHECK_TIMEOUT_SECONDS
    # One quick retry: a check that still fails counts as failed, and the next one comes in five minutes.
    return {
        "base_url": endpoint.base_url,
        "timeout": (timeout, timeout),
        "max_attempts": 2,
        "backoff_base": 0.2,
        "backoff_max": 1.0,
        "max_retry_after": 5.0,
        "secrets": [endpoint.api_key],
        "log": log,
    }


def client_for(endpoint: SessionEndpoint, log: LogFn | None = None) -> SessionProviderClient:
    from whatsapp_health.clients.evolution import EvolutionClient
    from whatsapp_health.clients.waha import WahaClient

    if endpoint.provider == "WAHA":
        return WahaClient(endpoint, log)
    return EvolutionClient(endpoint, log)
