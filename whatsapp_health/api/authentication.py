"""`Authorization: Bearer <token>` with the same API tokens as DRF's `Token <token>`, so the source's curl
lines work unchanged."""

from rest_framework.authentication import SessionAuthentication, TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"


# Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
AUTHENTICATION_CLASSES = [TokenAuthentication, BearerTokenAuthentication, SessionAuthentication]
