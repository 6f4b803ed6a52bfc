"""`Authorization: Bearer <token>` with the same API tokens as DRF's `Token <token>`, so the source's curl
lines work unchanged."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication, TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Its own name in the schema (DRF's Token is `tokenAuth`): the same key sent as `Bearer <key>`."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "O mesmo token da API, como Bearer."}


# Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
AUTHENTICATION_CLASSES = [TokenAuthentication, BearerTokenAuthentication, SessionAuthentication]
