"""Google's batch wire format: a multipart/mixed body of application/http parts in, the same out."""

import email.parser
import email.policy
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.server import FakeRequest, FakeResponse

REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def parse_batch(request: FakeRequest) -> list[tuple[str, FakeRequest]]:
    """(Content-ID, inner request) for every part; the outer Authorization applies to every part."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/mixed"):
        raise ValueError("batch body must be multipart/mixed")
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    if not message.is_multipart():
        raise ValueError("batch body is not multipart")
    parts = []
    for part in message.get_payload():
        payload = part.get_payload(decode=False)
        if isinstance(payload, list):
            raise ValueError("nested multipart in a batch")
        text = payload.replace("\r\n", "\n")
        head, _, body = text.partition("\n\n")
        lines = head.split("\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "authorization" in request.headers:
            headers.setdefault("authorization", request.headers["authorization"])
        split = urlsplit(target)
        inner = FakeRequest(
            method=method,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=headers,
            body=body.encode(),
            raw_query=split.query,
        )
        parts.append((str(part.get("Content-ID", "")), inner))
    return parts


def render_batch(answers: list[tuple[str, FakeResponse]], boundary: str = "batch_orquestra_fake") -> FakeResponse:
    chunks = []
    for content_id, response in answers:
        body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        inner_headers = "".join(f"{name}: {value}\r\n" for name, value in response.headers.items())
        response_id = content_id.replace("<", "<response-", 1) if content_id else ""
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {response_id}\r\n\r\n"
            f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Status')}\r\n{inner_headers}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
            + b"\r\n"
        )
    payload = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return FakeResponse(200, payload, {"Content-Type": f"multipart/mixed; boundary={boundary}"})


def serve_batch(
    request: FakeRequest, handle_one: Callable[[FakeRequest], FakeResponse], limit: int = 1000
) -> FakeResponse:
    try:
        parts = parse_batch(request)
    except (ValueError, IndexError) as error:
        return FakeResponse.json({"error": {"code": 400, "message": str(error)}}, status=400)
    if len(parts) > limit:
        message = f"Too many requests in batch: {len(parts)} > {limit}"
        return FakeResponse.json({"error": {"code": 400, "message": message}}, status=400)
    return render_batch([(content_id, handle_one(inner)) for content_id, inner in parts])
