"""Salesbot `widget_request` tokens as Kommo signs them (HS256 with the integration's client secret)."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def _part(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def salesbot_jwt(secret: str, subdomain: str = "matriz", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": f"https://{subdomain}.kommo.com", "aud": "widget", "jti": "x1", "iat": now, "nbf": now,
            "exp": now + 300, "account_id": 777, "user_id": 9, **claims}  # fmt: skip
    signing_input = f"{_part(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_part(json.dumps(body).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(signature)}"
