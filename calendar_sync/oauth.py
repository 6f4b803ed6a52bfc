"""Connecting a professional's Google account: the consent URL, the callback (code → tokens, the calendar
chosen from their list), and what a revoked grant does (the integration goes off with its reason and an
alert to its user, once; nothing retries it)."""

import secrets
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.clients.google_calendar import GoogleCalendarClient, GoogleTokens
from calendar_sync.configuration import calendar_client, google_endpoints
from calendar_sync.exceptions import OAuthStateInvalid
from calendar_sync.models import GoogleCalendarIntegration
from orchestration.models import AlertKind, Severity, User
from orchestration.services.alerts import alert_raise, alert_resolve

STATE_SALT = "calendar_sync.oauth"
STATE_MAX_AGE = 600  # seconds between asking for the URL and coming back from Google
_CACHE_PREFIX = "calendar_sync:oauth:"


def reauthorization_fingerprint(user_id: int) -> str:
    return f"calendar:auth:{user_id}"


def oauth_start(*, user: User) -> dict[str, str]:
    """The consent URL for `user`. The state is signed and single-use; the PKCE verifier stays here."""
    nonce = secrets.token_urlsafe(16)
    state = signing.dumps({"user": user.pk, "nonce": nonce}, salt=STATE_SALT)
    url, verifier = google_endpoints().oauth.authorization_url(state)
    cache.set(_CACHE_PREFIX + nonce, {"user": user.pk, "verifier": verifier}, STATE_MAX_AGE)
    return {"auth_url": url, "state": state}


def _state_claim(state: str, user: User | None) -> tuple[int, str]:
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise OAuthStateInvalid(_("Parâmetro state inválido ou expirado: peça uma nova URL de autorização.")) from None
    pending = cache.get(_CACHE_PREFIX + str(data.get("nonce")))
    cache.delete(_CACHE_PREFIX + str(data.get("nonce")))  # single use
    if not pending or pending.get("user") != data.get("user"):
        raise OAuthStateInvalid(_("Esta autorização já foi usada ou expirou: peça uma nova URL de autorização."))
    if user is not None and user.is_authenticated and user.pk != data["user"]:
        raise OAuthStateInvalid(_("Esta autorização foi pedida por outro usuário."))
    return int(data["user"]), str(pending["verifier"])


def oauth_complete(*, code: str, state: str, user: User | None = None) -> GoogleCalendarIntegration:
    """Exchanges the code, picks the primary calendar (or keeps the one chosen before) and turns the
    integration on. The first sync runs on the next schedule or `sync/manual`."""
    user_id, verifier = _state_claim(state, user)
    owner = User.objects.get(pk=user_id)
    endpoints = google_endpoints()
    tokens = endpoints.oauth.exchange_code(code=code, code_verifier=verifier)
    return integration_connect(user=owner, tokens=tokens)


def integration_connect(*, user: User, tokens: GoogleTokens) -> GoogleCalendarIntegration:
    integration, _created = GoogleCalendarIntegration.objects.get_or_create(user=user)
    integration.access_token = tokens.access_token
    if tokens.refresh_token:
        integration.refresh_token = tokens.refresh_token
    integration.token_expires_at = tokens.expires_at or timezone.now() + timedelta(hours=1)
    integration.scopes = " ".join(tokens.scopes)
    integration.is_active = True
    integration.disabled_reason = ""
    client = calendar_client(integration)
    try:
        calendars = client.calendar_list()
    finally:
        client.close()
    chosen = next((c for c in calendars if c.id == integration.calendar_id), None)
    chosen = chosen or next((c for c in calendars if c.primary), None) or (calendars[0] if calendars else None)
    if chosen is not None:
        integration.calendar_id, integration.calendar_name = chosen.id, chosen.summary
        if chosen.primary:
            integration.google_email = chosen.id
    integration.sync_token = ""  # a new grant (maybe another account or calendar) starts with a full list
    with transaction.atomic():
        integration.save()
    alert_resolve(fingerprint=reauthorization_fingerprint(user.pk))
    return integration


def integration_revoked(*, integration: GoogleCalendarIntegration, detail: str) -> None:
    """Google refused the refresh token (invalid_grant): off, with the reason, and one alert to the user."""
    reason = _("O Google recusou a autorização (acesso revogado ou expirado): conecte a agenda novamente. %(detail)s")
    integration.is_active = False
    integration.disabled_reason = (reason % {"detail": detail})[:2000]
    integration.access_token = ""
    integration.token_expires_at = None
    GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
        is_active=False, disabled_reason=integration.disabled_reason, access_token="", token_expires_at=None
    )
    alert_raise(
        fingerprint=reauthorization_fingerprint(integration.user_id),
        group="calendar:auth",
        severity=Severity.WARNING,
        kind=AlertKind.REAUTHORIZATION,
        title=_("Google Agenda de %(user)s precisa de nova autorização") % {"user": integration.user},
        details=integration.disabled_reason,
        group_title=_("Google Agenda: %(count)d agendas precisam de nova autorização"),
        subject=integration,
        owner=integration.user,
    )


def client_calendars(client: GoogleCalendarClient) -> list[dict[str, object]]:
    return [
        {"id": entry.id, "summary": entry.summary, "primary": entry.primary, "access_role": entry.access_role}
        for entry in client.calendar_list()
    ]
