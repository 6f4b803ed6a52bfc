"""A fake WAHA (WhatsApp HTTP API) on a real HTTP server: sessions whose status can be switched, made slow,
made to fail or to answer garbage, and that send `session.status` / `message` webhooks signed with
HMAC-SHA512 (`X-Webhook-Hmac`, hex of the raw body, `X-Webhook-Hmac-Algorithm: sha512`).

Wire format: header `X-Api-Key` (401 without or with a wrong one), `GET /api/sessions?all=true`,
`GET /api/sessions/{name}` → SessionInfo `{"name","status","config","me","engine"}`, NestJS 404
`{"statusCode":404,"message":"Session not found","error":"Not Found"}`, `POST /api/sessions/{name}/start|stop|
logout|restart`.

In pytest:  fake = WahaFake(); fake.add("default", hmac_key="k"); with FakeServer(fake.handle) as s: ...
Standalone: python -m tests.fakes.waha --port 8106 --sessions 250 --delay 0.2
"""

import argparse
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from tests.fakes.server import FakeRequest, FakeResponse, FakeServer
from tests.fakes.whatsapp_common import (
    HEALTHY,
    UNAUTHORIZED,
    FakeSession,
    WebhookSender,
    demo_flips,
    dumps,
    faulty_answer,
)

API_KEY = "waha-api-key"
NOT_FOUND = {"statusCode": 404, "message": "Session not found", "error": "Not Found"}


class WahaFake:
    def __init__(self, *, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.sessions: dict[str, FakeSession] = {}
        self.fault = HEALTHY
        self.webhooks = WebhookSender()
        self._lock = threading.Lock()

    def add(self, name: str, *, status: str = "WORKING", hmac_key: str = "", delay: float = 0.0) -> FakeSession:
        session = FakeSession(name=name, state=status, hmac_key=hmac_key, delay_seconds=delay)
        with self._lock:
            self.sessions[name] = session
        return session

    def set_status(self, name: str, status: str) -> None:
        self.sessions[name].state = status

    def _info(self, session: FakeSession) -> dict[str, Any]:
        me = {"id": "5511988887777@c.us", "pushName": "Loja"} if session.state == "WORKING" else None
        return {
            "name": session.name,
            "status": session.state,
            "config": {"webhooks": [{"url": session.webhook_url, "events": ["session.status", "message"]}]},
            "me": me,
            "engine": {"engine": "NOWEB"},
        }

    # --- webhooks ----------------------------------------------------------------------------------

    def signed(
        self, name: str, event: str, payload: dict[str, Any], *, key: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a webhook, signed with the session's HMAC key (or `key`)."""
        session = self.sessions[name]
        body = dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "timestamp": int(time.time() * 1000),
                "event": event,
                "session": name,
                "metadata": {},
                "me": {"id": "5511988887777@c.us", "pushName": "Loja"},
                "payload": payload,
                "engine": "NOWEB",
                "environment": {"version": "2024.10.1", "engine": "NOWEB", "tier": "CORE", "browser": None},
            }
        )
        secret = session.hmac_key if key is None else key
        headers = {"X-Webhook-Request-Id": uuid.uuid4().hex, "X-Webhook-Timestamp": str(int(time.time() * 1000))}
        if secret:
            headers["X-Webhook-Hmac"] = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
            headers["X-Webhook-Hmac-Algorithm"] = "sha512"
        return body, headers

    def session_status(self, name: str, status: str, **options: Any) -> tuple[bytes, dict[str, str]]:
        """Switches the session's status and returns the signed `session.status` webhook it would send."""
        self.set_status(name, status)
        return self.signed(name, "session.status", {"name": name, "status": status}, **options)

    def message(
        self, name: str, contact: str, timestamp: int | None = None, from_me: bool = False
    ) -> tuple[bytes, dict[str, str]]:
        me = "5511988887777@c.us"
        payload = {
            "id": f"false_{contact}_{uuid.uuid4().hex[:16].upper()}",
            "timestamp": int(timestamp if timestamp is not None else time.time()),
            "from": me if from_me else contact,
            "to": contact if from_me else me,
            "fromMe": from_me,
            "body": "",
            "hasMedia": False,
        }
        return self.signed(name, "message", payload)

    def send(self, url: str, signed: tuple[bytes, dict[str, str]]) -> int:
        body, headers = signed
        return self.webhooks.post(url, body, headers)

    # --- the HTTP side -----------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        if self.fault == UNAUTHORIZED or request.headers.get("x-api-key") != self.api_key:
            return FakeResponse.json({"statusCode": 401, "message": "Unauthorized"}, 401)
        parts = [unquote(part) for part in request.path.strip("/").split("/") if part]
        if parts[:2] != ["api", "sessions"]:
            return FakeResponse.json(
                {"statusCode": 404, "message": f"Cannot {request.method} {request.path}", "error": "Not Found"}, 404
            )
        if len(parts) == 2 and request.method == "GET":
            every = request.query.get("all") == "true"
            return FakeResponse.json([self._info(s) for s in self.sessions.values() if every or s.state != "STOPPED"])
        session = self.sessions.get(parts[2]) if len(parts) >= 3 else None
        forced = faulty_answer(session, self.fault)
        if forced is not None:
            return forced
        if session is None:
            return FakeResponse.json(NOT_FOUND, 404)
        if len(parts) == 3 and request.method == "GET":
            session.checks += 1
            response = FakeResponse.json(self._info(session))
        elif len(parts) == 4 and parts[3] == "me" and request.method == "GET":
            response = FakeResponse.json(self._info(session)["me"])
        elif len(parts) == 4 and request.method == "POST" and parts[3] in ("start", "stop", "logout", "restart"):
            session.state = {"start": "STARTING", "stop": "STOPPED", "logout": "SCAN_QR_CODE", "restart": "STARTING"}[
                parts[3]
            ]
            response = FakeResponse.json(self._info(session), 201)
        else:
            return FakeResponse.json({"statusCode": 404, "message": f"Cannot {request.method} {request.path}"}, 404)
        response.delay_seconds = session.delay_seconds
        return response


def demo_fake() -> WahaFake:
    """Three sessions (X-Api-Key API_KEY); every 90 s one of them changes status."""
    fake = WahaFake()
    for name in ("atendimento", "cobranca", "marketing"):
        fake.add(name, status="WORKING")
    demo_flips(
        fake.set_status, ["cobranca", "marketing"], ["STOPPED", "STARTING", "WORKING", "SCAN_QR_CODE", "WORKING"]
    )
    return fake


def demo_handler() -> Callable[[FakeRequest], FakeResponse]:
    return demo_fake().handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake WAHA")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--sessions", type=int, default=3, help="sessions named sess-0000…, all WORKING")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each session GET takes")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    if args.demo:
        fake = demo_fake()
    else:
        fake = WahaFake()
        for number in range(args.sessions):
            fake.add(f"sess-{number:04d}", status="WORKING", delay=args.delay)
    server = FakeServer(fake.handle, port=args.port, host=args.host)
    print(server.url, flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
