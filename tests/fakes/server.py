"""A tiny threaded HTTP server that fakes speak through; runs inside pytest or as its own process."""

import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeResponse:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> "FakeResponse":
        return cls(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})


Handler = Callable[[FakeRequest], FakeResponse]


class _ThreadingServer(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when a client opens dozens at once (bounded-concurrency
    # checks); a dropped SYN reads as a connect timeout that no real provider would cause.
    request_queue_size = 128


class FakeServer:
    """Serves `handle(request) -> FakeResponse` on 127.0.0.1; `requests` records what came in."""

    def __init__(self, handle: Handler, port: int = 0, host: str = "127.0.0.1") -> None:
        self.handle = handle
        self.requests: list[FakeRequest] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in separate writes: with Nagle on, a kept-alive client waits 40 ms per answer.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = FakeRequest(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    raw_query=parts.query,
                )
                with server._lock:
                    server.requests.append(request)
                try:
                    response = server.handle(request)
                except Exception:
                    # A bug in a fake must read as one, not as a dropped connection the client retries.
                    response = FakeResponse(500, traceback.format_exc(), {"Content-Type": "text/plain"})
                if response.delay_seconds:
                    threading.Event().wait(response.delay_seconds)
                body = response.body
                if not isinstance(body, bytes | str):
                    body = json.dumps(body)
                if isinstance(body, str):
                    body = body.encode()
                try:
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _ThreadingServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
