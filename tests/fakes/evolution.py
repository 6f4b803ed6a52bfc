"""A fake Evolution API (v2) on a real HTTP server: instances whose state can be switched, made slow, made
to fail or to answer garbage, and that send `connection.update` / `messages.upsert` webhooks.

Speaks the wire format our client meets: header `apikey` (the global key, or the instance's own token for
its routes; 401 otherwise), `GET /instance/connectionState/{name}` → `{"instance":{"instanceName","state"}}`
(`state` left out when the instance is "not loaded"), `GET /instance/fetchInstances`, `GET /`, NestJS-style
404 for an unknown instance, and webhook envelopes carrying the instance token in `apikey`.

In pytest:  fake = EvolutionFake(); fake.add("loja", state="open", token="t1"); with FakeServer(fake.handle) as s: ...
Standalone: python -m tests.fakes.evolution --port 8105 --instances 250 --delay 0.2
"""

import argparse
import random
import threading
import time
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
    now_iso,
)

GLOBAL_KEY = "evolution-global-key"
NOT_LOADED = "not-loaded"  # a state value that makes connectionState leave `state` out


def _error(status: int, error: str, message: Any) -> FakeResponse:
    return FakeResponse.json({"status": status, "error": error, "response": {"message": message}}, status)


class EvolutionFake:
    def __init__(self, *, global_key: str = GLOBAL_KEY) -> None:
        self.global_key = global_key
        self.instances: dict[str, FakeSession] = {}
        self.fault = HEALTHY  # a fault of the whole server (an outage)
        self.webhooks = WebhookSender()
        self._lock = threading.Lock()

    # --- switches --------------------------------------------------------------------------------

    def add(self, name: str, *, state: str = "open", token: str = "", delay: float = 0.0) -> FakeSession:
        session = FakeSession(name=name, state=state, token=token or f"{name}-token", delay_seconds=delay)
        with self._lock:
            self.instances[name] = session
        return session

    def set_state(self, name: str, state: str) -> None:
        self.instances[name].state = state

    # --- webhooks ----------------------------------------------------------------------------------

    def envelope(self, name: str, event: str, data: dict[str, Any], *, apikey: str | None = None) -> bytes:
        session = self.instances[name]
        return dumps(
            {
                "event": event,
                "instance": name,
                "data": data,
                "destination": session.webhook_url,
                "date_time": now_iso(),
                "sender": "5511999990000@s.whatsapp.net",
                "server_url": "http://evolution.fake",
                "apikey": session.token if apikey is None else apikey,
            }
        )

    def connection_update(self, name: str, state: str, status_reason: int = 200, **options: Any) -> bytes:
        """Switches the instance's state and returns the `connection.update` body it would send."""
        self.set_state(name, state)
        return self.envelope(
            name, "connection.update", {"instance": name, "state": state, "statusReason": status_reason}, **options
        )

    def message(self, name: str, remote_jid: str, timestamp: int | None = None, from_me: bool = False) -> bytes:
        data = {
            "key": {"remoteJid": remote_jid, "fromMe": from_me, "id": f"3EB0{random.randrange(10**12):012d}"},
            "pushName": "Cliente",
            "messageType": "conversation",
            "messageTimestamp": int(timestamp if timestamp is not None else time.time()),
        }
        return self.envelope(name, "messages.upsert", data)

    def send(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
        return self.webhooks.post(url, body, headers or {})

    # --- the HTTP side -----------------------------------------------------------------------------

    def _authorized(self, request: FakeRequest, session: FakeSession | None) -> bool:
        key = request.headers.get("apikey", "")
        return bool(key) and (key == self.global_key or (session is not None and key == session.token))

    def handle(self, request: FakeRequest) -> FakeResponse:
        parts = [unquote(part) for part in request.path.strip("/").split("/") if part]
        if request.method == "GET" and not parts:
            return FakeResponse.json(
                {"status": 200, "message": "Welcome to the Evolution API, it is working!", "version": "2.3.6"}
            )
        name = parts[2] if len(parts) >= 3 else ""
        session = self.instances.get(name)
        if self.fault == UNAUTHORIZED or not self._authorized(request, session):
            return _error(401, "Unauthorized", "Unauthorized")
        forced = faulty_answer(session, self.fault)
        if forced is not None:
            return forced
        delay = session.delay_seconds if session is not None else 0.0
        if parts[:2] == ["instance", "fetchInstances"]:
            rows = [
                {"id": f"id-{s.name}", "name": s.name, "connectionStatus": s.state, "token": s.token}
                for s in self.instances.values()
                if not request.query.get("instanceName") or request.query["instanceName"] == s.name
            ]
            return FakeResponse.json(rows)
        if len(parts) != 3 or parts[0] != "instance":
            return FakeResponse.json(
                {"statusCode": 404, "message": f"Cannot {request.method} {request.path}", "error": "Not Found"}, 404
            )
        if session is None:
            return _error(404, "Not Found", [f'The "{name}" instance does not exist'])
        action = parts[1]
        if action == "connectionState" and request.method == "GET":
            session.checks += 1
            instance: dict[str, Any] = {"instanceName": name}
            if session.state != NOT_LOADED:
                instance["state"] = session.state
            response = FakeResponse.json({"instance": instance})
        elif action == "logout" and request.method == "DELETE":
            if session.state == "close":
                return _error(400, "Bad Request", [f'The "{name}" instance is not connected'])
            session.state = "close"
            response = FakeResponse.json(
                {"status": "SUCCESS", "error": False, "response": {"message": "Instance logged out"}}
            )
        elif action == "restart" and request.method == "POST":
            session.state = "connecting"
            response = FakeResponse.json({"instance": {"instanceName": name, "state": "connecting"}})
        else:
            return FakeResponse.json({"statusCode": 404, "message": f"Cannot {request.method} {request.path}"}, 404)
        response.delay_seconds = delay
        return response


# --- demo: sessions dropping and coming back -------------------------------------------------------------


def demo_fake() -> EvolutionFake:
    """Four instances (token `<name>-token`, global key GLOBAL_KEY); every 90 s one of them changes state."""
    fake = EvolutionFake()
    for name in ("loja-centro", "loja-norte", "suporte", "vendas"):
        fake.add(name, state="open")
    demo_flips(fake.set_state, ["loja-norte", "suporte"], ["close", "connecting", "open", "refused", "open"])
    return fake


def demo_handler() -> Callable[[FakeRequest], FakeResponse]:
    return demo_fake().handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Evolution API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--instances", type=int, default=4, help="instances named inst-0000…, all open")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each connectionState takes")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    if args.demo:
        fake = demo_fake()
    else:
        fake = EvolutionFake()
        for number in range(args.instances):
            fake.add(f"inst-{number:04d}", state="open", delay=args.delay)
    server = FakeServer(fake.handle, port=args.port, host=args.host)
    print(server.url, flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
