"""Where each Kommo account lives and with which OAuth client it authorizes."""

from dataclasses import dataclass

from django.conf import settings

from integrations.kommo.models import KommoAccount
from orchestration.simulators import simulator_url

DEFAULT_BASE_URL = "https://{subdomain}.kommo.com"
OAUTH_CONSENT_URL = "https://www.kommo.com/oauth"
DEMO_TOKEN = "demo-long-lived-token"  # noqa: S105 - the local simulator accepts it for its demo accounts


@dataclass(frozen=True)
class OAuthClientCredentials:
    client_id: str
    client_secret: str
    redirect_uri: str


def base_url_template() -> str:
    """KOMMO_BASE_URL; when it is empty, the demo simulator under `make run`, else Kommo's own hosts."""
    if settings.KOMMO_BASE_URL:
        return str(settings.KOMMO_BASE_URL)
    return simulator_url("KOMMO_SIMULATOR_PORT", 8103, "/{subdomain}") or DEFAULT_BASE_URL


def kommo_base_url(subdomain: str) -> str:
    return base_url_template().replace("{subdomain}", subdomain).rstrip("/")


def oauth_credentials(account: KommoAccount | None) -> OAuthClientCredentials:
    """The account's own client id/secret/redirect URI where set, else the settings'."""
    return OAuthClientCredentials(
        client_id=(account.client_id if account else "") or settings.KOMMO_CLIENT_ID,
        client_secret=(account.client_secret if account else "") or settings.KOMMO_CLIENT_SECRET,
        redirect_uri=(account.redirect_uri if account else "") or settings.KOMMO_REDIRECT_URI,
    )
