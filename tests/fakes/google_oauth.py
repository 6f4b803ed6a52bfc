"""Google's OAuth 2.0 endpoints, faked: consent (auth), token (authorization_code with PKCE, refresh_token,
invalid_grant), revoke. Part of the Google Calendar fake (tests/fakes/google_calendar.py)."""

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from tests.fakes.server import FakeRequest, FakeResponse

CLIENT_ID = "orquestra-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret-xyz"
ACCESS_TOKEN_SECONDS = 3600


@dataclass
class Grant:
    """One user's consent: its refresh token and the access tokens issued from it."""

    email: str
    refresh_token: str
    scope: str
    revoked: bool = False
    access_tokens: dict[str, float] = field(default_factory=dict)  # token → expiry (time.time())


class GoogleOAuthFake:
    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.accept_any_client = False  # demo: whatever client id/secret
        self.accept_any_code = False  # demo: any authorization code is a consent of `default_email`
        self.default_email = "profissional@example.com"
        self.grants: dict[str, Grant] = {}  # refresh token → grant
        self.codes: dict[str, tuple[str, str, str]] = {}  # code → (email, code_challenge, scope)
        self.token_requests: list[dict[str, str]] = []
        self._lock = threading.RLock()

    # --- test helpers --------------------------------------------------------------------------------

    def issue_code(self, *, email: str = "", code_challenge: str = "", scope: str = "") -> str:
        code = "4/" + secrets.token_urlsafe(16)
        with self._lock:
            self.codes[code] = (email or self.default_email, code_challenge, scope)
        return code

    def grant_for(self, email: str) -> Grant | None:
        with self._lock:
            return next((grant for grant in self.grants.values() if grant.email == email), None)

    def revoke_grant(self, email: str) -> None:
        """The user removed our access in their Google account: the refresh token answers invalid_grant."""
        with self._lock:
            for grant in self.grants.values():
                if grant.email == email:
                    grant.revoked = True
                    grant.access_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self._lock:
            for grant in self.grants.values():
                grant.access_tokens = dict.fromkeys(grant.access_tokens, 0.0)

    def issue_tokens(self, email: str, scope: str = "") -> tuple[str, str]:
        """A grant made outside the flow (bench, demo): (access token, refresh token)."""
        with self._lock:
            grant = Grant(email=email, refresh_token="1//" + secrets.token_urlsafe(24), scope=scope)
            self.grants[grant.refresh_token] = grant
            return self._new_access(grant), grant.refresh_token

    def email_for_access_token(self, token: str) -> str | None:
        now = time.time()
        with self._lock:
            for grant in self.grants.values():
                expiry = grant.access_tokens.get(token)
                if expiry is not None and expiry > now and not grant.revoked:
                    return grant.email
        return None

    # --- endpoints -----------------------------------------------------------------------------------

    def consent(self, request: FakeRequest) -> FakeResponse:
        """GET /o/oauth2/auth: the user says yes at once; redirects to redirect_uri with code and state."""
        query = request.query
        if query.get("response_type") != "code" or not query.get("redirect_uri"):
            return FakeResponse(400, "Error 400: invalid_request", {"Content-Type": "text/plain"})
        if not self.accept_any_client and query.get("client_id") != self.client_id:
            return FakeResponse(401, "Error 401: invalid_client", {"Content-Type": "text/plain"})
        code = self.issue_code(code_challenge=query.get("code_challenge", ""), scope=query.get("scope", ""))
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        return FakeResponse(302, b"", {"Location": target})

    def token(self, request: FakeRequest) -> FakeResponse:
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        with self._lock:
            self.token_requests.append(form)
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if not self.accept_any_client and (client_id != self.client_id or client_secret != self.client_secret):
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange(form)
        if grant_type == "refresh_token":
            return self._refresh(form)
        return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def revoke(self, request: FakeRequest) -> FakeResponse:
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        token = request.query.get("token") or form.get("token", "")
        with self._lock:
            for grant in self.grants.values():
                if token == grant.refresh_token or token in grant.access_tokens:
                    grant.revoked = True
                    grant.access_tokens.clear()
                    return FakeResponse.json({})
        return _oauth_error(400, "invalid_token", "Token expired or revoked")

    def _exchange(self, form: dict[str, str]) -> FakeResponse:
        code = form.get("code", "")
        with self._lock:
            known = self.codes.pop(code, None)
        if known is None and self.accept_any_code and code:
            known = (self.default_email, "", "")
        if known is None:
            return _oauth_error(400, "invalid_grant", "Malformed auth code.")
        email, challenge, scope = known
        verifier = form.get("code_verifier", "")
        if challenge:
            if not verifier:
                return _oauth_error(400, "invalid_grant", "Missing code verifier.")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != challenge:
                return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
        with self._lock:
            grant = Grant(email=email, refresh_token="1//" + secrets.token_urlsafe(24), scope=scope)
            self.grants[grant.refresh_token] = grant
            access = self._new_access(grant)
        return FakeResponse.json(
            {
                "access_token": access,
                "expires_in": ACCESS_TOKEN_SECONDS,
                "refresh_token": grant.refresh_token,
                "scope": scope,
                "token_type": "Bearer",
            }
        )

    def _refresh(self, form: dict[str, str]) -> FakeResponse:
        with self._lock:
            grant = self.grants.get(form.get("refresh_token", ""))
            if grant is None and self.accept_any_code and form.get("refresh_token"):
                # Demo: a refresh token written by `load_demo` before the simulator ran is a consent too.
                grant = Grant(email=self.default_email, refresh_token=form["refresh_token"], scope="")
                self.grants[grant.refresh_token] = grant
            if grant is None or grant.revoked:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            access = self._new_access(grant)
        return FakeResponse.json(
            {"access_token": access, "expires_in": ACCESS_TOKEN_SECONDS, "scope": grant.scope, "token_type": "Bearer"}
        )

    def _new_access(self, grant: Grant) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        grant.access_tokens[token] = time.time() + ACCESS_TOKEN_SECONDS
        return token


def _oauth_error(status: int, error: str, description: str) -> FakeResponse:
    return FakeResponse.json({"error": error, "error_description": description}, status=status)
