"""Typed errors of outbound HTTP calls: what failed, where (redacted), and every attempt made."""

from dataclasses import dataclass
from typing import Any

from orchestration.exceptions import OrchestraError, TransientError


@dataclass(frozen=True)
class Attempt:
    """One try of one request. `url` is already redacted; `waited_seconds` is the time spent before this
    try was sent (backoff or Retry-After, plus the rate limiter)."""

    number: int
    method: str
    url: str
    status: int | None
    error: str
    elapsed_seconds: float
    waited_seconds: float


class ExternalApiError(OrchestraError):
    """A call to an external API that did not succeed. Every text in it is already redacted."""

    reason = "falhou"

    def __init__(
        self,
        *,
        service: str,
        method: str,
        url: str,
        status: int | None = None,
        attempts: list[Attempt] | None = None,
        body_excerpt: str = "",
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.service = service
        self.method = method
        self.url = url
        self.status = status
        self.attempts = list(attempts or [])
        self.body_excerpt = body_excerpt
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        outcome = f"HTTP {self.status}" if self.status is not None else (self.detail or "sem resposta")
        tries = len(self.attempts)
        after = f" após {tries} tentativas" if tries > 1 else ""
        message = f"{self.service}: {self.method} {self.url} {self.reason} ({outcome}){after}"
        if self.status is not None and self.detail:
            message += f": {self.detail}"
        if self.body_excerpt:
            message += f". Resposta: {self.body_excerpt[:300]}"
        return message

    def __reduce__(self) -> tuple:
        # Keyword-only constructor: rebuild from the attributes so the error survives pickling.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ExternalApiError], state: dict[str, Any]) -> ExternalApiError:
    fields = ("service", "method", "url", "status", "attempts", "body_excerpt", "detail", "retry_after")
    kwargs: dict[str, Any] = {name: state.get(name) for name in fields}
    return cls(**kwargs)


class AuthError(ExternalApiError):
    """401/403: credentials missing, wrong or without permission. Never retried."""

    reason = "recusou as credenciais"


class ClientError(ExternalApiError):
    """Any other 4xx: the request itself is wrong. Never retried."""

    reason = "recusou a requisição"


class NotFoundError(ClientError):
    reason = "não encontrou o recurso"


class RateLimitedError(ExternalApiError, TransientError):
    """Still 429 after the retries (or a Retry-After longer than we may wait); `retry_after` is the hint."""

    reason = "limitou as requisições"


class ServerError(ExternalApiError, TransientError):
    reason = "teve erro no servidor"


class ConnectionFailedError(ExternalApiError, TransientError):
    """Connect or read timeout, refused or reset connection."""

    reason = "não respondeu"


class MalformedResponseError(ExternalApiError):
    """A 2xx whose body is not what the client expected (e.g. not JSON). Not retried."""

    reason = "devolveu uma resposta inválida"
