"""What the Evolution API and WAHA fakes share: per-session fault switches and webhook delivery."""

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import FakeResponse

# Fault modes of one session (or of the whole fake): how its next answers go wrong.
HEALTHY, SERVER_ERROR, GARBAGE, TIMEOUT, UNAUTHORIZED = "", "500", "garbage", "timeout", "401"


@dataclass
class FakeSession:
    name: str
    state: str
    token: str = ""
    delay_seconds: float = 0.0
    fault: str = HEALTHY
    webhook_url: str = ""
    hmac_key: str = ""
    checks: int = 0


@dataclass(frozen=True)
class Delivery:
    url: str
    status: int
    body: bytes


@dataclass
class WebhookSender:
    """Posts JSON bodies to a URL with the given headers (urllib: the fakes import no third-party client)."""

    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
        request = urllib.request.Request(  # noqa: S310 - the URL is the test's own server
            url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        with self._lock:
            self.deliveries.append(Delivery(url, status, body))
        return status


def faulty_answer(session: FakeSession | None, fault: str) -> FakeResponse | None:
    """The answer a fault switch forces, or None to answer normally."""
    mode = fault or (session.fault if session is not None else HEALTHY)
    delay = session.delay_seconds if session is not None else 0.0
    if mode == SERVER_ERROR:
        return FakeResponse(500, b'{"statusCode":500,"message":"Internal server error"}', delay_seconds=delay)
    if mode == GARBAGE:
        return FakeResponse(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"}, delay)
    if mode == TIMEOUT:
        return FakeResponse(200, b"{}", {"Content-Type": "application/json"}, delay_seconds=max(delay, 30.0))
    return None


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"


def demo_flips(set_state: Callable[[str, str], None], names: list[str], states: list[str], every: float = 90.0) -> None:
    """For `make run`: every `every` seconds the next of `names` takes the next of `states`, so the
    checks show sessions dropping and coming back."""

    def flip() -> None:
        step = 0
        while True:
            time.sleep(every)
            set_state(names[step % len(names)], states[step % len(states)])
            step += 1

    threading.Thread(target=flip, daemon=True, name="whatsapp-demo").start()
