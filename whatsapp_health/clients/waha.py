"""WAHA: `GET /api/sessions/{session}` with the `X-Api-Key` header; `status` is one of STOPPED, STARTING,
SCAN_QR_CODE, WORKING, FAILED."""

from typing import Any
from urllib.parse import quote

from orchestration.outbound import BaseClient, LogFn
from orchestration.outbound.errors import MalformedResponseError
from whatsapp_health.clients.base import ProviderState, SessionEndpoint, base_client_options

# WAHA status → our status code.
STATES = {
    "WORKING": "CONNECTED",
    "STARTING": "CONNECTING",
    "SCAN_QR_CODE": "QR_REQUIRED",
    "STOPPED": "DISCONNECTED",
    "FAILED": "FAILED",
}


def waha_state(status: Any) -> ProviderState | None:
    if not isinstance(status, str) or status not in STATES:
        return None
    return ProviderState(status=STATES[status], raw_state=status)


class WahaClient(BaseClient):
    service_name = "waha"

    def __init__(self, endpoint: SessionEndpoint, log: LogFn | None = None) -> None:
        super().__init__(**base_client_options(endpoint, log))  # type: ignore[arg-type]
        self.endpoint = endpoint
        self.session.headers["X-Api-Key"] = endpoint.api_key

    def fetch_state(self) -> ProviderState:
        path = f"/api/sessions/{quote(self.endpoint.instance, safe='')}"
        body = self.get_json(path)
        status = body.get("status") if isinstance(body, dict) else None
        parsed = waha_state(status)
        if parsed is None:
            detail = "sem o campo status" if status is None else f"situação desconhecida: {str(status)[:40]}"
            raise MalformedResponseError(
                service=self.service_name,
                method="GET",
                url=self.redactor(self.url_for(path)),
                status=200,
                detail=detail,
                body_excerpt=self.redactor(str(body))[:300],
            )
        return parsed
