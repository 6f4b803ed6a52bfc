"""Kommo API v4 on the shared base client. Kommo's wire quirks live here only: the Bearer token renewed once
on a 401, 204 with no body for an empty list, HAL `_embedded`/`_links` paging with limit ≤ 250, array
creates matched back by `request_id`, problem+json validation errors per item, single-object PATCH for
pipelines and stages, batch PATCH for custom fields.

The token comes from a `TokenSource` (integrations.kommo.tokens), so refreshing — serialised across
workers, stored atomically — is not the client's business; the client only asks for a new one once when
Kommo refuses the current one."""

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from integrations.kommo.exceptions import KommoResponseError
from integrations.kommo.records import (
    BatchOutcome,
    KommoField,
    KommoPipeline,
    KommoTokens,
    field_from,
    pipeline_from,
)
from orchestration.outbound import AuthError, BaseClient, ClientError, ExternalApiError, LogFn, RateLimit

PAGE_LIMIT = 250  # Kommo's maximum `limit`
BATCH_SIZE = 50  # items per array create/PATCH
MAX_PAGES = 200  # a guard against a `next` link that never ends


class TokenSource(Protocol):
    def token(self) -> str:
        """A token to send now (renewed first when it is about to expire)."""
        ...

    def renew(self, rejected: str) -> str:
        """A token other than `rejected`, which Kommo just refused (401)."""
        ...


def rate_limit_key(subdomain: str) -> str:
    return f"kommo:{subdomain}"


def kommo_rate_limit(subdomain: str, per_second: int) -> RateLimit | None:
    # Our limiter counts a request when it leaves, Kommo when it arrives: a slightly longer window keeps
    # network jitter from putting an 8th request into Kommo's second.
    return RateLimit(per_second, 1.1, rate_limit_key(subdomain)) if per_second > 0 else None


class _KommoBase(BaseClient):
    service_name = "kommo"

    def _error(
        self,
        method: str,
        shown_url: str,
        response: Any,
        failure: Any,
        attempts: list[Any],
        redact: Any,
        retry_after: float | None,
    ) -> ExternalApiError:
        error = super()._error(method, shown_url, response, failure, attempts, redact, retry_after)
        # problem+json names the failed items by request_id; the excerpt alone may cut them off.
        problem: Any = None
        if response is not None and "json" in response.headers.get("Content-Type", ""):
            try:
                problem = response.json()
            except ValueError:
                problem = None
        error.problem = problem if isinstance(problem, dict) else None  # type: ignore[attr-defined]
        return error


class KommoOAuthClient(_KommoBase):
    """`{base}/oauth2/access_token`: the authorization-code exchange and the refresh grant. Never retried on
    a 4xx: a refresh token is single-use, and asking twice with one would burn it."""

    def __init__(self, *, base_url: str, subdomain: str, rate_per_second: int, log: LogFn | None = None) -> None:
        super().__init__(base_url=base_url, rate_limit=kommo_rate_limit(subdomain, rate_per_second), log=log)

    def _grant(self, body: dict[str, str], secrets: Iterable[str]) -> KommoTokens:
        self.redactor.add(*[value for value in secrets if value])
        response = self.request("POST", "/oauth2/access_token", json=body, retry=False)
        try:
            data = response.json()
        except ValueError as error:
            raise KommoResponseError("Kommo: a resposta do access_token não é JSON.") from error
        self.redactor.add(str(data.get("access_token", "")), str(data.get("refresh_token", "")))
        if not data.get("access_token"):
            raise KommoResponseError("Kommo: a resposta do access_token não trouxe access_token.")
        return KommoTokens(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_in=int(data.get("expires_in") or 86400),
        )

    def exchange_code(self, *, client_id: str, client_secret: str, code: str, redirect_uri: str) -> KommoTokens:
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        }
        return self._grant(body, [client_secret, code])

    def refresh(self, *, client_id: str, client_secret: str, refresh_token: str, redirect_uri: str) -> KommoTokens:
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "redirect_uri": redirect_uri,
        }
        return self._grant(body, [client_secret, refresh_token])


def invalid_grant(error: ExternalApiError) -> bool:
    """A refresh refused for good (used, revoked or expired refresh token; wrong client)."""
    return isinstance(error, ClientError | AuthError) and error.status in (400, 401, 403)


def _chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def validation_errors(error: ExternalApiError) -> dict[str, str]:
    """problem+json `validation-errors` by request_id: "path: detail; ..." for each failed item."""
    problem = getattr(error, "problem", None) or {}
    found: dict[str, str] = {}
    for item in problem.get("validation-errors") or []:
        if not isinstance(item, dict):
            continue
        details = [
            f"{entry.get('path', '')}: {entry.get('detail') or entry.get('code', '')}".strip(": ")
            for entry in item.get("errors") or []
            if isinstance(entry, dict)
        ]
        found[str(item.get("request_id", ""))] = "; ".join(details) or str(problem.get("detail", ""))
    return found


class KommoClient(_KommoBase):
    """One account's API v4. Every method is one request (a batch may be split in chunks of BATCH_SIZE)."""

    def __init__(
        self,
        *,
        base_url: str,
        subdomain: str,
        tokens: TokenSource,
        rate_per_second: int = 7,
        log: LogFn | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            rate_limit=kommo_rate_limit(subdomain, rate_per_second),
            log=log,
            max_retry_after=60.0,
        )
        self.subdomain = subdomain
        self.tokens = tokens

    # --- transport -------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        token = self.tokens.token()
        for attempt in (1, 2):
            self.redactor.add(token)
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/hal+json"}
            try:
                return self.request(method, path, params=params, json=json, headers=headers)
            except AuthError as error:
                # As the official library: a 401 renews the token once and tries again.
                if error.status != 401 or attempt == 2:
                    raise
                token = self.tokens.renew(token)
        raise AssertionError("unreachable")  # pragma: no cover

    def _json(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        response = self._call(method, path, params=params, json=json)
        if response.status_code == 204 or not response.content:
            return None  # Kommo's empty list: 204 and no body
        try:
            return response.json()
        except ValueError as error:
            raise KommoResponseError(
                f"Kommo ({self.subdomain}): {method} {path} devolveu um corpo que não é JSON."
            ) from error

    @staticmethod
    def _embedded(payload: Any, name: str) -> list[dict[str, Any]]:
        if payload is None:
            return []
        if not isinstance(payload, dict):
            raise KommoResponseError(f"Kommo: esperado um objeto HAL com _embedded.{name}.")
        items = (payload.get("_embedded") or {}).get(name) or []
        return [item for item in items if isinstance(item, dict)]

    # --- reads -----------------------------------------------------------------------------------

    def pipelines(self) -> list[KommoPipeline]:
        """Every pipeline with its stages (Kommo does not page this list)."""
        payload = self._json("GET", "/api/v4/leads/pipelines")
        return [pipeline_from(item) for item in self._embedded(payload, "pipelines")]

    def custom_fields(self, entity: str) -> list[KommoField]:
        """Every custom field of `entity`, following `_links.next` pages of PAGE_LIMIT."""
        found: list[KommoField] = []
        path: str = f"/api/v4/{entity}/custom_fields"
        params: Any = {"page": 1, "limit": PAGE_LIMIT}
        for _page in range(MAX_PAGES):
            payload = self._json("GET", path, params=params)
            found.extend(field_from(entity, item) for item in self._embedded(payload, "custom_fields"))
            next_href = ((payload or {}).get("_links") or {}).get("next", {}).get("href") if payload else None
            if not next_href:
                return found
            if not str(next_href).startswith(self.base_url.rstrip("/") + "/"):
                raise KommoResponseError(f"Kommo: link da próxima página fora da conta: {str(next_href)[:120]}")
            path, params = str(next_href), None
        raise KommoResponseError(f"Kommo: mais de {MAX_PAGES} páginas de campos de {entity}.")

    # --- writes ----------------------------------------------------------------------------------

    def _batch(self, method: str, path: str, items: list[dict[str, Any]], embedded: str) -> BatchOutcome:
        """Array writes in chunks; a chunk refused for some items is sent once more without them."""
        outcome = BatchOutcome()
        for chunk in _chunks(items):
            pending = chunk
            for _round in (1, 2):
                try:
                    payload = self._json(method, path, json=pending)
                except ClientError as error:
                    failed = validation_errors(error)
                    if not failed or _round == 2:
                        for item in pending:
                            key = str(item.get("request_id", item.get("id", "")))
                            outcome.failures[key] = failed.get(key) or str(error)
                        break
                    for key, detail in failed.items():
                        outcome.failures[key] = detail
                    pending = [item for item in pending if str(item.get("request_id", "")) not in failed]
                    if not pending:
                        break
                    continue
                for index, result in enumerate(self._embedded(payload, embedded)):
                    key = str(
                        result.get("request_id") or (pending[index].get("request_id") if index < len(pending) else "")
                    )
                    outcome.results[key] = result
                break
        return outcome

    def pipelines_create(self, items: list[dict[str, Any]]) -> BatchOutcome:
        return self._batch("POST", "/api/v4/leads/pipelines", items, "pipelines")

    def pipeline_update(self, pipeline_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._json("PATCH", f"/api/v4/leads/pipelines/{pipeline_id}", json=changes) or {}

    def pipeline_delete(self, pipeline_id: int) -> None:
        self._call("DELETE", f"/api/v4/leads/pipelines/{pipeline_id}")

    def stages_create(self, pipeline_id: int, items: list[dict[str, Any]]) -> BatchOutcome:
        return self._batch("POST", f"/api/v4/leads/pipelines/{pipeline_id}/statuses", items, "statuses")

    def stage_update(self, pipeline_id: int, stage_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        path = f"/api/v4/leads/pipelines/{pipeline_id}/statuses/{stage_id}"
        return self._json("PATCH", path, json=changes) or {}

    def stage_delete(self, pipeline_id: int, stage_id: int) -> None:
        self._call("DELETE", f"/api/v4/leads/pipelines/{pipeline_id}/statuses/{stage_id}")

    def fields_create(self, entity: str, items: list[dict[str, Any]]) -> BatchOutcome:
        return self._batch("POST", f"/api/v4/{entity}/custom_fields", items, "custom_fields")

    def fields_update(self, entity: str, items: list[dict[str, Any]]) -> BatchOutcome:
        return self._batch("PATCH", f"/api/v4/{entity}/custom_fields", items, "custom_fields")

    def field_delete(self, entity: str, field_id: int) -> None:
        self._call("DELETE", f"/api/v4/{entity}/custom_fields/{field_id}")

    def salesbot_continue(self, return_url: str, body: dict[str, Any]) -> None:
        self._call("POST", return_url, json=body)
