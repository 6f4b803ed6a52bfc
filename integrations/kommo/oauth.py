"""The OAuth 2.0 connect flow: the consent URL (with a signed `state` naming the account) and the callback,
which exchanges the code at the account named by Kommo's `referer` and stores the pair."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from integrations.kommo.accounts import subdomain_normalize
from integrations.kommo.client import KommoOAuthClient
from integrations.kommo.configuration import OAUTH_CONSENT_URL, kommo_base_url, oauth_credentials
from integrations.kommo.exceptions import KommoNotConfigured
from integrations.kommo.models import KommoAccount
from integrations.kommo.tokens import account_tokens_store
from orchestration.exceptions import ValidationFailed

STATE_SALT = "kommo-oauth-state"
STATE_MAX_AGE_SECONDS = 20 * 60  # Kommo's authorization code lives about 20 minutes


def authorization_url(account: KommoAccount) -> str:
    credentials = oauth_credentials(account)
    if not credentials.client_id:
        raise KommoNotConfigured(_("Defina KOMMO_CLIENT_ID (ou o client id da conta) para autorizar."))
    state = signing.dumps({"subdomain": account.subdomain}, salt=STATE_SALT)
    query = urlencode({"client_id": credentials.client_id, "state": state, "mode": "post_message"})
    return f"{OAUTH_CONSENT_URL}?{query}"


def oauth_callback(*, code: str, state: str, referer: str) -> KommoAccount:
    """Stores the tokens of the account named by `referer` (which must be the one `state` was made for)."""
    try:
        signed = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise ValidationFailed(_("Parâmetro state inválido ou expirado; comece a autorização de novo.")) from None
    subdomain = subdomain_normalize(referer)
    if subdomain != signed.get("subdomain"):
        raise ValidationFailed(
            _("A autorização voltou da conta %(referer)s, mas foi pedida para %(expected)s.")
            % {"referer": subdomain, "expected": signed.get("subdomain")}
        )
    if not code:
        raise ValidationFailed(_("Parâmetro code ausente."))
    account = KommoAccount.objects.filter(subdomain=subdomain).first()
    if account is None:
        raise ValidationFailed(_("Conta %(subdomain)s não cadastrada.") % {"subdomain": subdomain})
    credentials = oauth_credentials(account)
    with KommoOAuthClient(
        base_url=kommo_base_url(subdomain), subdomain=subdomain, rate_per_second=settings.KOMMO_RATE_LIMIT_PER_SECOND
    ) as client:
        tokens = client.exchange_code(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            code=code,
            redirect_uri=credentials.redirect_uri,
        )
    account.long_lived_token = ""
    account.save(update_fields=["long_lived_token"])
    return account_tokens_store(account, tokens)
