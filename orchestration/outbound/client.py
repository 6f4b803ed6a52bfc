"""The base of every outbound HTTP client: timeouts, retries with backoff and jitter, the shared rate
limiter, typed errors, and secrets kept out of every log line and message."""

import logging
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import requests
from django.utils import timezone

from orchestration.outbound.clock import SYSTEM_CLOCK, Clock
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
from orchestration.outbound.redaction import MASK, Redactor, install_library_log_redaction, is_sensitive

LogFn = Callable[[str, str], None]
Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
BODY_EXCERPT_CHARS = 500
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}
# RFC 3986 allows these in a query; `$` stays literal because some APIs (Movidesk's OData) reject `%24filter`.
_SAFE_IN_KEY = "$"
_SAFE_IN_VALUE = "$'(),:/@"
_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")]*")

install_library_log_redaction()


def encode_query(params: Params) -> list[tuple[str, str]]:
    """Pairs as sent: None dropped, lists repeated, booleans as true/false."""
    items = params.items() if isinstance(params, Mapping) else (params or [])
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((str(key), text))
    return pairs


def query_string(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(key, safe=_SAFE_IN_KEY)}={quote(value, safe=_SAFE_IN_VALUE)}" for key, value in pairs)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def describe_connection_error(error: requests.RequestException) -> str:
    if isinstance(error, requests.ConnectTimeout):
        return "tempo de conexão esgotado"
    if isinstance(error, requests.ReadTimeout) or "Read timed out" in str(error):
        return "tempo de resposta esgotado"
    cause = _ERRNO.search(str(error))
    return f"falha de conexão ({cause.group(0).strip() if cause else type(error).__name__})"


class BaseClient:
    """One external API. Subclasses set `service_name` and add typed methods on top of `request`."""

    service_name: str = "http"

    def __init__(
        self,
        *,
        base_url: str,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        rate_limit: RateLimit | None = None,
        secrets: Iterable[str] = (),
        log: LogFn | None = None,
        user_agent: str = "Orquestra/1.0",
        max_retry_after: float = 120.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.base_url = base_url
        self.clock = clock
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.rate_limiter: RateLimiter | None = rate_limiter_for(rate_limit, clock) if rate_limit else None
        self.redactor = Redactor(secrets)
        self.log = log
        self.logger = logging.getLogger(f"orchestration.outbound.{self.service_name}")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    # --- public API ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> requests.Response:
        """Sends with retries; returns a 2xx/3xx response or raises one of the typed errors."""
        return self._send(method, path, params=params, json=json, data=data, headers=headers, retry=retry)[0]

    def get_json(self, path: str, *, params: Params = None, headers: Mapping[str, str] | None = None) -> Any:
        """GET and decode JSON (None for 204); a body that is not JSON raises MalformedResponseError."""
        headers = {"Accept": "application/json", **(headers or {})}
        response, attempts, redact = self._send("GET", path, params=params, headers=headers)
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as error:
            last = attempts[-1]
            raise MalformedResponseError(
                service=self.service_name,
                method=last.method,
                url=last.url,
                status=response.status_code,
                attempts=attempts,
                body_excerpt=self._excerpt(response, redact),
                detail="o corpo não é JSON válido",
            ) from error

    def url_for(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if not path:
            return self.base_url
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # --- the retry loop --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> tuple[requests.Response, list[Attempt], Redactor]:
        method = method.upper()
        redact = self.redactor.child()
        redact.add_headers(self.session.headers)
        redact.add_headers(headers or {})
        url, shown_url = self._build_url(path, encode_query(params), redact)
        attempts: list[Attempt] = []
        wait = 0.0
        for number in range(1, self.max_attempts + 1):
            waited = wait
            if wait:
                self.clock.sleep(wait)
            if self.rate_limiter is not None:
                waited += self.rate_limiter.acquire()
            started = self.clock.monotonic()
            response: requests.Response | None = None
            failure: requests.RequestException | None = None
            try:
                response = self.session.request(
                    method, url, json=json, data=data, headers=headers, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                failure = error
            except requests.RequestException as error:  # invalid URL, too many redirects: not transient
                self._emit(redact(f"{method} {shown_url} → {type(error).__name__}: {error}")[:500], "ERROR")
                raise ExternalApiError(
                    service=self.service_name,
                    method=method,
                    url=shown_url,
                    attempts=attempts,
                    detail=redact(f"{type(error).__name__}: {error}")[:300],
                ) from error
            elapsed = self.clock.monotonic() - started
            status = response.status_code if response is not None else None
            outcome = str(status) if failure is None else describe_connection_error(failure)
            attempt = Attempt(number, method, shown_url, status, "" if failure is None else outcome, elapsed, waited)
            attempts.append(attempt)
            line = f"{method} {shown_url} → {outcome} em {elapsed:.2f} s"
            if waited >= 0.05:
                line += f" (após aguardar {waited:.1f} s)"

            if response is not None and status is not None and status < 400:
                self._emit(line, "DEBUG")
                return response, attempts, redact

            retry_after = parse_retry_after(response.headers.get("Retry-After")) if response is not None else None
            if not self._retryable(method, status, failure, retry):
                self._emit(line, "WARNING" if status is not None and status < 500 else "ERROR")
                raise self._error(method, shown_url, response, failure, attempts, redact, retry_after)
            if number == self.max_attempts:
                self._emit(f"{line}; desistindo após {number} tentativas", "ERROR")
                raise self._error(method, shown_url, response, failure, attempts, redact, retry_after)
            if retry_after is not None and retry_after > self.max_retry_after:
                self._emit(f"{line}; o serviço pede {retry_after:.0f} s de espera, mais do que aguardamos", "ERROR")
                raise self._error(method, shown_url, response, failure, attempts, redact, retry_after)
            wait = retry_after if retry_after is not None else self._backoff(number)
            next_try = f"tentativa {number + 1}/{self.max_attempts}"
            self._emit(f"{line}; nova tentativa em {wait:.1f} s ({next_try})", "WARNING")
        raise AssertionError("unreachable")  # pragma: no cover

    def _retryable(
        self, method: str, status: int | None, failure: requests.RequestException | None, retry: bool | None
    ) -> bool:
        if retry is False:
            return False
        if status == 429:
            return True
        transient = failure is not None or (status is not None and status >= 500)
        # A certificate problem will not fix itself by asking again.
        if isinstance(failure, requests.exceptions.SSLError):
            return False
        return transient and (retry is True or method in IDEMPOTENT_METHODS)

    def _backoff(self, number: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^(n-1))]."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (number - 1)))

    def _build_url(self, path: str, pairs: list[tuple[str, str]], redact: Redactor) -> tuple[str, str]:
        url = self.url_for(path)
        redact.add(*(value for key, value in pairs if is_sensitive(key)))
        if not pairs:
            return url, redact(url)
        separator = "&" if "?" in url else "?"
        shown_pairs = [(key, MASK if is_sensitive(key) else value) for key, value in pairs]
        shown = url + separator + query_string(shown_pairs).replace(quote(MASK, safe=""), MASK)
        return url + separator + query_string(pairs), redact(shown)

    def _error(
        self,
        method: str,
        shown_url: str,
        response: requests.Response | None,
        failure: requests.RequestException | None,
        attempts: list[Attempt],
        redact: Redactor,
        retry_after: float | None,
    ) -> ExternalApiError:
        common: dict[str, Any] = {"service": self.service_name, "method": method, "url": shown_url}
        common["attempts"] = attempts
        if response is None:
            detail = describe_connection_error(failure) if failure is not None else ""
            return ConnectionFailedError(**common, detail=detail)
        status = response.status_code
        excerpt = self._excerpt(response, redact)
        common.update(status=status, body_excerpt=excerpt)
        if status in (401, 403):
            return AuthError(**common)
        if status == 404:
            return NotFoundError(**common)
        if status == 429:
            return RateLimitedError(**common, retry_after=retry_after)
        if status >= 500:
            return ServerError(**common, retry_after=retry_after)
        return ClientError(**common)

    @staticmethod
    def _excerpt(response: requests.Response, redact: Redactor) -> str:
        # Redact before cutting, so a secret is never left half-visible at the edge.
        text = response.content[:65536].decode(response.encoding or "utf-8", errors="replace")
        return redact(" ".join(text.split()))[:BODY_EXCERPT_CHARS]

    def _emit(self, message: str, level: str) -> None:
        self.logger.log(_LEVELS[level], "%s: %s", self.service_name, message)
        if self.log is not None:
            self.log(message, level)
