"""Google Calendar API v3 and Google OAuth 2.0, through google-api-python-client and google-auth.

The one exception to "every outbound call goes through orchestration.outbound.BaseClient": these libraries
bring their own HTTP transport (httplib2, and requests inside requests-oauthlib for the code exchange). It is
kept in this module, which still applies what the base client gives everybody else: timeouts, retries with
backoff honouring Retry-After (429, 5xx, 403 rateLimitExceeded), the shared rate limiter, our typed errors
(orchestration.outbound) and tokens redacted from every log line, ours and the libraries'.

The service is built from the Calendar v3 discovery document the library ships (no network), with its
rootUrl replaced by GOOGLE_CALENDAR_API_URL, so events and batch requests both go there.
"""

import contextlib
import hashlib
import json
import logging
import os
import random
import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import google_auth_httplib2
import httplib2
import requests
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError, OAuth2Error

from calendar_sync.clients.google_calendar_records import (
    BatchOperation,
    BatchOutcome,
    CalendarEntry,
    CalendarEvent,
    DuplicateEventError,
    EventDraft,
    EventGoneError,
    EventPage,
    GoogleTokens,
    GrantRevokedError,
    PreconditionFailedError,
    SyncTokenExpiredError,
    WatchChannel,
    parse_calendar,
    parse_event,
    parse_instant,
)
from orchestration.outbound import (
    SYSTEM_CLOCK,
    AuthError,
    ClientError,
    Clock,
    ConnectionFailedError,
    ExternalApiError,
    LogFn,
    MalformedResponseError,
    NotFoundError,
    RateLimit,
    RateLimitedError,
    ServerError,
    rate_limiter_for,
)
from orchestration.outbound.client import parse_retry_after
from orchestration.outbound.redaction import LibraryLogRedactor, Redactor

SERVICE = "google-calendar"
# The narrowest scopes that work: events of calendars the user owns, and the list of their calendars.
SCOPES = (
    "https://www.googleapis.com/auth/calendar.events.owned",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
BATCH_LIMIT = 1000  # Google's maximum calls per batch (googleapiclient.http.MAX_BATCH_LIMIT)
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_LIBRARY_LOGGERS = (
    "googleapiclient.discovery",
    "googleapiclient.http",
    "google_auth_httplib2",
    "google.auth.transport",
    "google.oauth2._client",
    "requests_oauthlib.oauth2_session",
    "oauthlib",
)
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}
logger = logging.getLogger(f"orchestration.outbound.{SERVICE}")

# requests-oauthlib logs the token response as a Python dict ('refresh_token': '1//…'), before we know the
# values: those pairs are masked by name, on top of the shared filter's masking of every known secret.
_REPR_SECRET = re.compile(
    r"(?i)('(?:access_token|refresh_token|id_token|code|code_verifier|client_secret|token)'\s*:\s*')[^']*"
)


class _OAuthLogRedactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _REPR_SECRET.sub(r"\1***", message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


for _name in _LIBRARY_LOGGERS:
    _library_logger = logging.getLogger(_name)
    if not any(isinstance(existing, LibraryLogRedactor) for existing in _library_logger.filters):
        _library_logger.addFilter(_OAuthLogRedactor())
        _library_logger.addFilter(LibraryLogRedactor())
# Google may grant more scopes than asked (earlier grants); oauthlib would refuse the token otherwise.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


@lru_cache(maxsize=8)
def _discovery_document(root: str) -> str:
    document = json.loads(get_static_doc("calendar", "v3"))
    root = root if root.endswith("/") else root + "/"
    document.update(rootUrl=root, mtlsRootUrl=root, baseUrl=root + document["servicePath"])
    return json.dumps(document)


def rate_limit_key(user_key: str) -> str:
    return "google-calendar:" + hashlib.sha256(user_key.encode()).hexdigest()[:16]


@contextlib.contextmanager
def _loopback_http_allowed(*urls: str) -> Iterator[None]:
    """oauthlib refuses plain-http endpoints; the local stand-ins (tests, the demo simulator) are plain
    http on the loopback interface, and only those are let through."""
    loopback = all(
        urlsplit(url).scheme == "https" or urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1") for url in urls
    )
    if not loopback or os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"):
        yield
        return
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)


def _error_reason(content: bytes | str | None) -> str:
    try:
        data = json.loads(content or b"{}")
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            errors = error.get("errors") or [{}]
            return str(errors[0].get("reason") or error.get("status") or "")
        return str(error or "")
    except (ValueError, TypeError, AttributeError, IndexError):
        return ""


def _retryable(status: int, content: bytes) -> bool:
    return status == 429 or status >= 500 or (status == 403 and _error_reason(content) in RATE_REASONS)


class OAuthConfig:
    """Client id/secret and the three OAuth endpoints (settings; a local stand-in in tests and the demo)."""

    def __init__(
        self, *, client_id: str, client_secret: str, redirect_uri: str, auth_url: str, token_url: str, revoke_url: str
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.auth_url = auth_url
        self.token_url = token_url
        self.revoke_url = revoke_url

    def flow(self, code_verifier: str | None = None) -> Flow:
        config = {
            "web": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": self.auth_url,
                "token_uri": self.token_url,
                "redirect_uris": [self.redirect_uri],
            }
        }
        return Flow.from_client_config(
            config,
            scopes=list(SCOPES),
            redirect_uri=self.redirect_uri,
            code_verifier=code_verifier,
            autogenerate_code_verifier=code_verifier is None,
        )

    def authorization_url(self, state: str) -> tuple[str, str]:
        """The consent page URL (offline access, consent forced so a refresh token comes back) and the PKCE
        code verifier to keep with the state until the callback."""
        flow = self.flow()
        with _loopback_http_allowed(self.auth_url):
            url, _state = flow.authorization_url(access_type="offline", prompt="consent", state=state)
        return url, str(flow.code_verifier)

    def exchange_code(self, *, code: str, code_verifier: str, timeout: float = 30.0) -> GoogleTokens:
        redact = Redactor([code, code_verifier, self.client_secret])
        flow = self.flow(code_verifier=code_verifier)
        try:
            with _loopback_http_allowed(self.token_url):
                token = flow.fetch_token(code=code, timeout=timeout)
        except InvalidGrantError as error:
            raise GrantRevokedError(
                service=SERVICE, method="POST", url=self.token_url, status=400, detail=redact(str(error))[:300]
            ) from None
        except OAuth2Error as error:
            raise ClientError(
                service=SERVICE, method="POST", url=self.token_url, status=400, detail=redact(str(error))[:300]
            ) from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise ConnectionFailedError(
                service=SERVICE, method="POST", url=self.token_url, detail=redact(type(error).__name__)
            ) from None
        tokens = _tokens_from(token, refresh_token="")
        Redactor([tokens.access_token, tokens.refresh_token])  # remembered for the library log filter
        _emit(None, f"POST {self.token_url} → código trocado por tokens", "INFO")
        return tokens


def _tokens_from(token: dict[str, Any], *, refresh_token: str) -> GoogleTokens:
    expires_at = None
    if token.get("expires_at"):
        expires_at = datetime.fromtimestamp(float(token["expires_at"]), tz=UTC)
    elif token.get("expires_in"):
        expires_at = datetime.now(UTC) + timedelta(seconds=float(token["expires_in"]))
    scopes = token.get("scope") or ()
    return GoogleTokens(
        access_token=str(token.get("access_token") or ""),
        refresh_token=str(token.get("refresh_token") or refresh_token),
        expires_at=expires_at,
        scopes=tuple(scopes.split() if isinstance(scopes, str) else scopes),
    )


def _emit(log: LogFn | None, message: str, level: str) -> None:
    logger.log(_LEVELS[level], "%s: %s", SERVICE, message)
    if log is not None:
        log(message, level)


class _GuardedHttp:
    """httplib2.Http as google-api-python-client expects it, with our timeouts, limiter, retries and logs."""

    def __init__(self, client: "GoogleCalendarClient", *, authorize: bool) -> None:
        self.client = client
        self.authorize = authorize
        self.http = httplib2.Http(timeout=client.timeout)
        self.credentials = None  # the library looks for credentials here; ours go in the header

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        return self.client._send(self, uri, method, body, dict(headers or {}), redirections)

    def close(self) -> None:
        self.http.close()


class GoogleCalendarClient:
    """One user's calendar. `on_tokens(tokens)` is called after every refresh, so the caller stores them."""

    def __init__(
        self,
        *,
        api_url: str,
        tokens: GoogleTokens,
        oauth: OAuthConfig,
        user_key: str,
        rate_limit_per_minute: int = 500,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 32.0,
        max_retry_after: float = 120.0,
        batch_size: int = BATCH_LIMIT,
        on_tokens: Callable[[GoogleTokens], None] | None = None,
        log: LogFn | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.tokens = tokens
        self.oauth = oauth
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.batch_size = max(1, min(BATCH_LIMIT, batch_size))
        self.on_tokens = on_tokens
        self.log = log
        self.clock = clock
        limit = RateLimit(rate_limit_per_minute, 60.0, rate_limit_key(user_key)) if rate_limit_per_minute > 0 else None
        self.rate_limiter = rate_limiter_for(limit, clock) if limit else None
        self.redactor = Redactor([tokens.access_token, tokens.refresh_token, oauth.client_secret])
        self.requests_sent = 0  # HTTP requests that left this client (a batch is one)
        self.calls_sent = 0  # API calls, counting each call inside a batch
        self._http = _GuardedHttp(self, authorize=True)
        self.service = build_from_document(_discovery_document(self.api_url), http=self._http)
        # Each `service.events()` builds the resource again (every method, docstrings included): once is enough.
        self.events = self.service.events()
        self.batch_uri = self.api_url + "batch/calendar/v3"

    # --- tokens ----------------------------------------------------------------------------------

    def token_fresh(self, *, margin: timedelta = timedelta(minutes=5)) -> bool:
        expires = self.tokens.expires_at
        return bool(self.tokens.access_token) and expires is not None and expires - margin > datetime.now(UTC)

    def ensure_token(self) -> None:
        """Renews the access token when it expires within five minutes (or is missing)."""
        if not self.token_fresh():
            self.refresh()

    def refresh(self) -> GoogleTokens:
        if not self.tokens.refresh_token:
            raise GrantRevokedError(
                service=SERVICE, method="POST", url=self.oauth.token_url, detail="sem token de renovação"
            )
        credentials = Credentials(
            token=None,
            refresh_token=self.tokens.refresh_token,
            token_uri=self.oauth.token_url,
            client_id=self.oauth.client_id,
            client_secret=self.oauth.client_secret,
            scopes=list(self.tokens.scopes) or None,
        )
        request = google_auth_httplib2.Request(_GuardedHttp(self, authorize=False))
        try:
            credentials.refresh(request)
        except RefreshError as error:
            data = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], dict) else {}
            detail = self.redactor(str(error.args[0]) if error.args else str(error))[:300]
            if data.get("error") == "invalid_grant":
                raise GrantRevokedError(
                    service=SERVICE, method="POST", url=self.oauth.token_url, status=400, detail=detail
                ) from None
            raise AuthError(service=SERVICE, method="POST", url=self.oauth.token_url, detail=detail) from None
        except TransportError as error:
            raise ConnectionFailedError(
                service=SERVICE, method="POST", url=self.oauth.token_url, detail=self.redactor(str(error))[:300]
            ) from None
        expiry = credentials.expiry.replace(tzinfo=UTC) if credentials.expiry else None
        self.tokens = GoogleTokens(
            access_token=str(credentials.token),
            refresh_token=str(credentials.refresh_token or self.tokens.refresh_token),
            expires_at=expiry,
            scopes=self.tokens.scopes,
        )
        self.redactor.add(self.tokens.access_token, self.tokens.refresh_token)
        self._emit("token de acesso renovado", "INFO")
        if self.on_tokens is not None:
            self.on_tokens(self.tokens)
        return self.tokens

    def revoke(self) -> None:
        """Revokes the grant (the refresh token, which also ends its access tokens). An already invalid
        token (400 invalid_token) counts as revoked."""
        token = self.tokens.refresh_token or self.tokens.access_token
        if not token:
            return
        http = _GuardedHttp(self, authorize=False)
        url = f"{self.oauth.revoke_url}?{urlencode({'token': token})}"
        response, content = http.request(
            url, "POST", body="", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        if response.status >= 400 and not (response.status == 400 and b"invalid_token" in content):
            raise self._mapped(response.status, content, "POST", self.oauth.revoke_url)

    # --- calendar and events ---------------------------------------------------------------------

    def calendar_list(self) -> list[CalendarEntry]:
        entries: list[CalendarEntry] = []
        page_token = None
        while True:
            data = self._execute(self.service.calendarList().list(pageToken=page_token, maxResults=250))
            entries.extend(entry for item in data.get("items") or [] if (entry := parse_calendar(item)))
            page_token = data.get("nextPageToken")
            if not page_token:
                return entries

    def events_page(
        self,
        calendar_id: str,
        *,
        sync_token: str = "",
        page_token: str = "",
        time_min: datetime | None = None,
        max_results: int = 250,
        zone: str = "UTC",
    ) -> EventPage:
        """One page of events, deleted ones included. With `sync_token`, only what changed since; a stale
        token raises SyncTokenExpiredError (list again without it)."""
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "showDeleted": True,
            "singleEvents": True,
            "maxResults": max_results,
        }
        if sync_token:
            params["syncToken"] = sync_token
        elif time_min is not None:
            params["timeMin"] = time_min.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if page_token:
            params["pageToken"] = page_token
        data = self._execute(self.events.list(**params))
        events = [event for item in data.get("items") or [] if (event := parse_event(item, zone))]
        return EventPage(
            events=events,
            next_page_token=str(data.get("nextPageToken") or ""),
            next_sync_token=str(data.get("nextSyncToken") or ""),
        )

    def event_get(self, calendar_id: str, event_id: str) -> CalendarEvent:
        return self._event(self._execute(self.events.get(calendarId=calendar_id, eventId=event_id)))

    def event_insert(self, calendar_id: str, draft: EventDraft) -> CalendarEvent:
        request = self.events.insert(calendarId=calendar_id, body=draft.body(with_id=True))
        return self._event(self._execute(request))

    def event_patch(self, calendar_id: str, event_id: str, draft: EventDraft, *, etag: str = "") -> CalendarEvent:
        request = self.events.patch(calendarId=calendar_id, eventId=event_id, body=draft.body(with_id=False))
        if etag:
            request.headers["If-Match"] = etag
        return self._event(self._execute(request))

    def event_delete(self, calendar_id: str, event_id: str, *, etag: str = "") -> None:
        request = self.events.delete(calendarId=calendar_id, eventId=event_id)
        if etag:
            request.headers["If-Match"] = etag
        self._execute(request)

    def events_batch(self, calendar_id: str, operations: list[BatchOperation]) -> list[BatchOutcome]:
        """Runs the operations in batch requests of up to `batch_size` calls. Calls that come back rate
        limited or with a server error are sent again in a later batch, after a backoff; the others
        (success or a final error, mapped into our typed errors) are returned, one outcome per operation."""
        outcomes = {operation.key: BatchOutcome(operation.key) for operation in operations}
        pending = list(operations)
        for round_number in range(1, self.max_attempts + 1):
            if not pending:
                break
            retry: list[BatchOperation] = []
            for start in range(0, len(pending), self.batch_size):
                chunk = pending[start : start + self.batch_size]
                retry.extend(self._batch_once(calendar_id, chunk, outcomes, last=round_number == self.max_attempts))
            if retry:
                wait = self._backoff(round_number)
                self._emit(
                    f"lote: {len(retry)} chamadas limitadas ou com erro; nova tentativa em {wait:.1f} s", "WARNING"
                )
                self.clock.sleep(wait)
            pending = retry
        return [outcomes[operation.key] for operation in operations]

    def watch(self, calendar_id: str, *, channel_id: str, address: str, token: str, ttl_seconds: int) -> WatchChannel:
        body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
        body["params"] = {"ttl": str(ttl_seconds)}
        data = self._execute(self.events.watch(calendarId=calendar_id, body=body))
        expiration = data.get("expiration")
        expires_at = datetime.fromtimestamp(int(expiration) / 1000, tz=UTC) if expiration else None
        return WatchChannel(str(data.get("id") or channel_id), str(data.get("resourceId") or ""), expires_at, token)

    def channel_stop(self, channel_id: str, resource_id: str) -> None:
        self._execute(self.service.channels().stop(body={"id": channel_id, "resourceId": resource_id}))

    def close(self) -> None:
        self._http.close()

    # --- internals -------------------------------------------------------------------------------

    def _event(self, data: Any) -> CalendarEvent:
        event = parse_event(data)
        if event is None:
            raise MalformedResponseError(service=SERVICE, method="GET", url=self.api_url, detail="evento sem id")
        return event

    def _execute(self, request: Any) -> Any:
        self.ensure_token()
        try:
            data = request.execute(num_retries=0)
        except HttpError as error:
            raise self._mapped(error.resp.status, error.content, request.method, request.uri) from None
        except (ValueError, json.JSONDecodeError) as error:
            raise MalformedResponseError(
                service=SERVICE, method=request.method, url=self._shown(request.uri), detail=str(error)[:200]
            ) from None
        self.calls_sent += 1
        if data is None:
            return {}
        if not isinstance(data, dict):  # the library hands back the raw text of a body that is not JSON
            raise MalformedResponseError(
                service=SERVICE, method=request.method, url=self._shown(request.uri), detail="o corpo não é JSON válido"
            )
        return data

    def _batch_once(
        self, calendar_id: str, chunk: list[BatchOperation], outcomes: dict[str, BatchOutcome], *, last: bool
    ) -> list[BatchOperation]:
        self.ensure_token()
        by_key = {operation.key: operation for operation in chunk}
        retry: list[BatchOperation] = []

        def collect(request_id: str, response: Any, exception: Exception | None) -> None:
            outcome = outcomes[request_id]
            if exception is None:
                outcome.event = parse_event(response) if response else None
                outcome.error = None
                if outcome.event is None and by_key[request_id].method != "delete":
                    outcome.error = MalformedResponseError(
                        service=SERVICE, method="BATCH", url=self.batch_uri, detail="resposta sem evento"
                    )
                return
            if isinstance(exception, HttpError):
                status, content = exception.resp.status, exception.content
                if _retryable(status, content) and not last:
                    retry.append(by_key[request_id])
                    return
                outcome.error = self._mapped(status, content, "BATCH", exception.uri or self.batch_uri, log=False)
            else:
                outcome.error = exception

        batch = BatchHttpRequest(callback=collect, batch_uri=self.batch_uri)
        for operation in chunk:
            batch.add(self._batch_request(calendar_id, operation), request_id=operation.key)
        # Each call inside a batch counts against Google's quota: take a limiter slot for every one.
        if self.rate_limiter is not None:
            for _ in range(len(chunk) - 1):
                self.rate_limiter.acquire()
        try:
            batch.execute(http=self._http)
        except HttpError as error:
            raise self._mapped(error.resp.status, error.content, "POST", self.batch_uri) from None
        self.calls_sent += len(chunk)
        return retry

    def _batch_request(self, calendar_id: str, operation: BatchOperation) -> Any:
        events = self.events
        if operation.method == "insert" and operation.draft is not None:
            return events.insert(calendarId=calendar_id, body=operation.draft.body(with_id=True))
        if operation.method == "patch" and operation.draft is not None:
            request = events.patch(
                calendarId=calendar_id, eventId=operation.event_id, body=operation.draft.body(with_id=False)
            )
        elif operation.method == "delete":
            request = events.delete(calendarId=calendar_id, eventId=operation.event_id)
        else:
            raise ValueError(f"batch operation {operation.method!r} without a draft")
        if operation.etag:
            request.headers["If-Match"] = operation.etag
        return request

    def _send(
        self,
        http: _GuardedHttp,
        uri: str,
        method: str,
        body: Any,
        headers: dict[str, str],
        redirections: int,
    ) -> tuple[httplib2.Response, bytes]:
        shown = self._shown(uri)
        refreshed = False
        wait = 0.0
        for number in range(1, self.max_attempts + 1):
            if wait:
                self.clock.sleep(wait)
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            if http.authorize:
                headers["authorization"] = f"Bearer {self.tokens.access_token}"
            started = self.clock.monotonic()
            self.requests_sent += 1
            try:
                response, content = http.http.request(
                    uri, method, body=body, headers=headers, redirections=redirections
                )
            except (OSError, httplib2.HttpLib2Error) as error:
                reason = (
                    "tempo de resposta esgotado"
                    if isinstance(error, socket.timeout | TimeoutError)
                    else (f"falha de conexão ({type(error).__name__})")
                )
                if number == self.max_attempts:
                    self._emit(f"{method} {shown} → {reason}; desistindo após {number} tentativas", "ERROR")
                    raise ConnectionFailedError(service=SERVICE, method=method, url=shown, detail=reason) from None
                wait = self._backoff(number)
                self._emit(f"{method} {shown} → {reason}; nova tentativa em {wait:.1f} s", "WARNING")
                continue
            elapsed = self.clock.monotonic() - started
            line = f"{method} {shown} → {response.status} em {elapsed:.2f} s"
            if response.status == 401 and http.authorize and not refreshed:
                refreshed = True
                self._emit(f"{line}; renovando o token", "WARNING")
                self.refresh()
                wait = 0.0
                continue
            if response.status < 400 or not _retryable(response.status, content) or number == self.max_attempts:
                level = "DEBUG" if response.status < 400 else "WARNING"
                self._emit(line if number < self.max_attempts else f"{line}; desistindo", level)
                return response, content
            retry_after = parse_retry_after(response.get("retry-after"))
            if retry_after is not None and retry_after > self.max_retry_after:
                self._emit(f"{line}; o Google pede {retry_after:.0f} s de espera, mais do que aguardamos", "ERROR")
                return response, content
            wait = retry_after if retry_after is not None else self._backoff(number)
            self._emit(f"{line}; nova tentativa em {wait:.1f} s ({number + 1}/{self.max_attempts})", "WARNING")
        raise AssertionError("unreachable")  # pragma: no cover

    def _mapped(self, status: int, content: bytes, method: str, uri: str, *, log: bool = True) -> ExternalApiError:
        reason = _error_reason(content)
        text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content or "")
        common: dict[str, Any] = {
            "service": SERVICE,
            "method": method,
            "url": self._shown(uri),
            "status": status,
            "body_excerpt": self.redactor(" ".join(text.split()))[:500],
            "detail": reason,
        }
        error: ExternalApiError
        if (
            status == 410
            and reason in ("fullSyncRequired", "updatedMinTooLongAgo")
            or (status == 410 and "syncToken" in uri)
        ):
            error = SyncTokenExpiredError(**common)
        elif status in (404, 410):
            error = EventGoneError(**common)
        elif status == 409:
            error = DuplicateEventError(**common)
        elif status == 412:
            error = PreconditionFailedError(**common)
        elif status == 429 or (status == 403 and reason in RATE_REASONS | {"quotaExceeded"}):
            error = RateLimitedError(**common)
        elif status in (401, 403):
            error = AuthError(**common)
        elif status >= 500:
            error = ServerError(**common)
        else:
            error = ClientError(**common)
        if log:
            self._emit(str(error)[:500], "WARNING")
        return error

    def _backoff(self, number: int) -> float:
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (number - 1)))

    def _shown(self, uri: str) -> str:
        return self.redactor(uri)

    def _emit(self, message: str, level: str) -> None:
        _emit(self.log, self.redactor(message), level)


__all__ = [
    "BatchOperation",
    "BatchOutcome",
    "CalendarEntry",
    "CalendarEvent",
    "DuplicateEventError",
    "EventDraft",
    "EventGoneError",
    "EventPage",
    "GoogleCalendarClient",
    "GoogleTokens",
    "GrantRevokedError",
    "NotFoundError",
    "OAuthConfig",
    "PreconditionFailedError",
    "SyncTokenExpiredError",
    "WatchChannel",
    "parse_instant",
]
