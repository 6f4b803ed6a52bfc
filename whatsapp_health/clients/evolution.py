"""Evolution API v2: `GET /instance/connectionState/{instance}` with the `apikey` header.

Its states are `open`, `connecting` and `close` (and `refused` in webhooks, when the QR attempts ran out);
`state` is missing when the instance exists in its database but is not loaded in memory, which we read as a
failed check, not as a state."""

from typing import Any
from urllib.parse import quote

from orchestration.outbound import BaseClient, LogFn
from orchestration.outbound.errors import MalformedResponseError
from whatsapp_health.clients.base import ProviderState, SessionEndpoint, base_client_options

# Evolution state → our status code.
STATES = {
    "open": "CONNECTED",
    "connecting": "CONNECTING",
    "close": "DISCONNECTED",
    "refused": "QR_REQUIRED",
}
LOGGED_OUT_REASON = 401  # statusReason of a `close` after the phone logged the session out: pair again


def evolution_state(state: Any, status_reason: Any = None) -> ProviderState | None:
    """Our reading of an Evolution state (None for one we do not know)."""
    if not isinstance(state, str) or state not in STATES:
        return None
    status = STATES[state]
    reason = "" if status_reason in (None, "") else f"statusReason {status_reason}"
    if state == "close" and str(status_reason) == str(LOGGED_OUT_REASON):
        status = "QR_REQUIRED"
    return ProviderState(status=status, raw_state=state, reason=reason)


class EvolutionClient(BaseClient):
    service_name = "evolution"

    def __init__(self, endpoint: SessionEndpoint, log: LogFn | None = None) -> None:
        super().__init__(**base_client_options(endpoint, log))  # type: ignore[arg-type]
        self.endpoint = endpoint
        self.session.headers["apikey"] = endpoint.api_key

    def fetch_state(self) -> ProviderState:
        path = f"/instance/connectionState/{quote(self.endpoint.instance, safe='')}"
        body = self.get_json(path)
        instance = body.get("instance") if isinstance(body, dict) else None
        state = instance.get("state") if isinstance(instance, dict) else None
        parsed = evolution_state(state)
        if parsed is None:
            detail = "sem o campo instance.state" if state is None else f"estado desconhecido: {str(state)[:40]}"
            raise MalformedResponseError(
                service=self.service_name,
                method="GET",
                url=self.redactor(self.url_for(path)),
                status=200,
                detail=detail,
                body_excerpt=self.redactor(str(body))[:300],
            )
        return parsed
