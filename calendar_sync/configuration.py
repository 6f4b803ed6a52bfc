"""Where the Google endpoints are and who we are to them: settings, or the demo simulator under `make run`.

Without GOOGLE_CALENDAR_CLIENT_ID, and only while DEMO_SIMULATORS is on, every endpoint (OAuth and API) is the
local simulator's, so the demo never reaches Google; with neither, connecting is refused with a clear message.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from calendar_sync.clients.google_calendar import GoogleCalendarClient, GoogleTokens, OAuthConfig
from calendar_sync.exceptions import CalendarNotConfigured
from calendar_sync.models import GoogleCalendarIntegration
from orchestration.outbound import SYSTEM_CLOCK, Clock, LogFn
from orchestration.simulators import simulator_url

SIMULATOR_PORT_SETTING = "GOOGLE_CALENDAR_SIMULATOR_PORT"
SIMULATOR_DEFAULT_PORT = 8104
DEMO_CLIENT_ID = "orquestra-demo.apps.googleusercontent.com"


@dataclass(frozen=True)
class GoogleEndpoints:
    oauth: OAuthConfig
    api_url: str
    source: str  # "settings" | "demo"


def google_endpoints() -> GoogleEndpoints:
    if settings.GOOGLE_CALENDAR_CLIENT_ID:
        oauth = OAuthConfig(
            client_id=settings.GOOGLE_CALENDAR_CLIENT_ID,
            client_secret=settings.GOOGLE_CALENDAR_CLIENT_SECRET,
            redirect_uri=settings.GOOGLE_CALENDAR_REDIRECT_URI,
            auth_url=settings.GOOGLE_OAUTH_AUTH_URL,
            token_url=settings.GOOGLE_OAUTH_TOKEN_URL,
            revoke_url=settings.GOOGLE_OAUTH_REVOKE_URL,
        )
        return GoogleEndpoints(oauth, settings.GOOGLE_CALENDAR_API_URL, "settings")
    root = simulator_url(SIMULATOR_PORT_SETTING, SIMULATOR_DEFAULT_PORT)
    if root is None:
        raise CalendarNotConfigured(
            _("Google Agenda não configurado: defina GOOGLE_CALENDAR_CLIENT_ID e GOOGLE_CALENDAR_CLIENT_SECRET.")
        )
    oauth = OAuthConfig(
        client_id=DEMO_CLIENT_ID,
        client_secret="demo-secret",  # noqa: S106 - the local simulator accepts any client
        redirect_uri=settings.GOOGLE_CALENDAR_REDIRECT_URI,
        auth_url=f"{root}/o/oauth2/auth",
        token_url=f"{root}/token",
        revoke_url=f"{root}/revoke",
    )
    return GoogleEndpoints(oauth, f"{root}/", "demo")


def integration_tokens(integration: GoogleCalendarIntegration) -> GoogleTokens:
    return GoogleTokens(
        access_token=integration.access_token or "",
        refresh_token=integration.refresh_token or "",
        expires_at=integration.token_expires_at,
        scopes=tuple(integration.scopes.split()),
    )


def tokens_saver(integration: GoogleCalendarIntegration) -> Callable[[GoogleTokens], None]:
    """Stores renewed tokens at once (their own UPDATE), so a later failure of the run cannot lose them."""

    def save(tokens: GoogleTokens) -> None:
        integration.access_token = tokens.access_token
        integration.refresh_token = tokens.refresh_token or integration.refresh_token
        integration.token_expires_at = tokens.expires_at
        GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
            access_token=integration.access_token,
            refresh_token=integration.refresh_token,
            token_expires_at=integration.token_expires_at,
        )

    return save


def calendar_client(
    integration: GoogleCalendarIntegration, *, log: LogFn | None = None, clock: Clock = SYSTEM_CLOCK
) -> GoogleCalendarClient:
    endpoints = google_endpoints()
    return GoogleCalendarClient(
        api_url=endpoints.api_url,
        tokens=integration_tokens(integration),
        oauth=endpoints.oauth,
        user_key=f"user:{integration.user_id}",
        rate_limit_per_minute=settings.GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE,
        timeout=settings.GOOGLE_CALENDAR_TIMEOUT_SECONDS,
        batch_size=settings.GOOGLE_CALENDAR_BATCH_SIZE,
        on_tokens=tokens_saver(integration),
        log=log,
        clock=clock,
    )
