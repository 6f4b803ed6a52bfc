"""Access tokens of Kommo accounts: renewed before they expire and once on a 401.

Kommo's refresh tokens are single-use: the refresh that wins gets a new pair and the old refresh token stops
working, so two workers refreshing one account at once would burn the grant. Every refresh therefore runs
under the account's lock (the shared lock service), re-reads the account inside it — another worker may
have just refreshed, and then its token is used — and stores the new pair in one transaction. A refresh
refused for good (invalid_grant) marks the account NEEDS_REAUTHORIZATION and raises its alert."""

import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.kommo.client import KommoClient, KommoOAuthClient, invalid_grant
from integrations.kommo.configuration import kommo_base_url, oauth_credentials
from integrations.kommo.exceptions import KommoNotConfigured, KommoReauthorizationNeeded
from integrations.kommo.models import AuthState, KommoAccount
from integrations.kommo.records import KommoTokens
from orchestration.models import Severity
from orchestration.outbound import ExternalApiError, LogFn
from orchestration.services.alerts import alert_raise, alert_resolve
from orchestration.services.locks import lock_acquire, lock_release

REFRESH_LOCK_TTL_SECONDS = 60
REFRESH_LOCK_WAIT_SECONDS = 90.0
ALERT_GROUP = "kommo:auth"


def auth_alert_fingerprint(account: KommoAccount) -> str:
    return f"{ALERT_GROUP}:{account.subdomain}"


def account_needs_reauthorization(account: KommoAccount, reason: str) -> None:
    """Flags the account and raises its alert; many accounts at once are one grouped message."""
    KommoAccount.objects.filter(pk=account.pk).update(auth_state=AuthState.NEEDS_REAUTHORIZATION, auth_error=reason)
    account.auth_state, account.auth_error = AuthState.NEEDS_REAUTHORIZATION, reason
    alert_raise(
        fingerprint=auth_alert_fingerprint(account),
        group=ALERT_GROUP,
        severity=Severity.CRITICAL,
        title=_("Kommo: a conta %(subdomain)s precisa de nova autorização") % {"subdomain": account.subdomain},
        details=reason[:2000],
        group_title=_("Kommo: %(count)d contas precisam de nova autorização"),
        subject=account,
    )


def account_tokens_store(account: KommoAccount, tokens: KommoTokens) -> KommoAccount:
    """The new pair, atomically, and the account authorized again (its alert resolved)."""
    with transaction.atomic():
        row = KommoAccount.objects.select_for_update().get(pk=account.pk)
        row.access_token = tokens.access_token
        row.refresh_token = tokens.refresh_token or row.refresh_token
        row.expires_at = timezone.now() + timedelta(seconds=tokens.expires_in)
        row.auth_state, row.auth_error = AuthState.OK, ""
        row.save(
            update_fields=["access_token", "refresh_token", "expires_at", "auth_state", "auth_error", "updated_at"]
        )
    alert_resolve(fingerprint=auth_alert_fingerprint(row))
    return row


def account_credentials_changed(account: KommoAccount) -> None:
    """New tokens typed in (admin, API): the account is authorized again and its alert resolved."""
    if account.auth_state != AuthState.OK or account.auth_error:
        KommoAccount.objects.filter(pk=account.pk).update(auth_state=AuthState.OK, auth_error="")
        account.auth_state, account.auth_error = AuthState.OK, ""
    alert_resolve(fingerprint=auth_alert_fingerprint(account))


def _expiring(account: KommoAccount) -> bool:
    if account.expires_at is None:
        return False  # unknown: used until Kommo refuses it
    return account.expires_at <= timezone.now() + timedelta(seconds=settings.KOMMO_REFRESH_MARGIN_SECONDS)


class AccountTokens:
    """The TokenSource of one account for KommoClient."""

    def __init__(self, account: KommoAccount, log: LogFn | None = None) -> None:
        self.account = account
        self.log = log
        self.refreshes = 0  # refresh grants this source spent (tests, bench)

    def _reload(self) -> KommoAccount:
        self.account = KommoAccount.objects.get(pk=self.account.pk)
        return self.account

    def token(self) -> str:
        account = self._reload()
        if account.long_lived_token:
            return str(account.long_lived_token)
        if account.auth_state == AuthState.NEEDS_REAUTHORIZATION:
            raise KommoReauthorizationNeeded(
                _("A conta %(subdomain)s precisa de nova autorização: %(reason)s")
                % {"subdomain": account.subdomain, "reason": account.auth_error or "-"}
            )
        if account.access_token and not _expiring(account):
            return str(account.access_token)
        return self._refresh(rejected=str(account.access_token or ""))

    def renew(self, rejected: str) -> str:
        account = self._reload()
        if account.long_lived_token:
            reason = _("O Kommo recusou o token de longa duração (HTTP 401); gere outro na integração.")
            account_needs_reauthorization(account, reason)
            raise KommoReauthorizationNeeded(f"{account.subdomain}: {reason}")
        return self._refresh(rejected=rejected)

    def _refresh(self, *, rejected: str) -> str:
        key, owner = f"kommo:token:{self.account.subdomain}", uuid.uuid4().hex
        deadline = time.monotonic() + REFRESH_LOCK_WAIT_SECONDS
        while not lock_acquire(key=key, owner=owner, ttl_seconds=REFRESH_LOCK_TTL_SECONDS):
            if time.monotonic() > deadline:
                raise KommoNotConfigured(
                    _("Conta %(subdomain)s: outra renovação do token não terminou a tempo.")
                    % {"subdomain": self.account.subdomain}
                )
            time.sleep(0.05)
        try:
            account = self._reload()  # inside the lock: another worker may have renewed it meanwhile
            if account.access_token and account.access_token != rejected and not _expiring(account):
                return str(account.access_token)
            return self._refresh_locked(account)
        finally:
            lock_release(key=key, owner=owner)

    def _refresh_locked(self, account: KommoAccount) -> str:
        if not account.refresh_token:
            reason = _("Sem refresh token para renovar o acesso; autorize a conta de novo.")
            account_needs_reauthorization(account, reason)
            raise KommoReauthorizationNeeded(f"{account.subdomain}: {reason}")
        credentials = oauth_credentials(account)
        if not credentials.client_id or not credentials.client_secret:
            raise KommoNotConfigured(
                _("Conta %(subdomain)s: defina KOMMO_CLIENT_ID e KOMMO_CLIENT_SECRET (ou os da conta) para renovar.")
                % {"subdomain": account.subdomain}
            )
        oauth = KommoOAuthClient(
            base_url=kommo_base_url(account.subdomain),
            subdomain=account.subdomain,
            rate_per_second=settings.KOMMO_RATE_LIMIT_PER_SECOND,
            log=self.log,
        )
        try:
            tokens = oauth.refresh(
                client_id=credentials.client_id,
                client_secret=credentials.client_secret,
                refresh_token=str(account.refresh_token),
                redirect_uri=credentials.redirect_uri,
            )
        except ExternalApiError as error:
            if invalid_grant(error):
                reason = _("O Kommo recusou a renovação do token (%(detail)s).") % {
                    "detail": error.body_excerpt[:200] or f"HTTP {error.status}"
                }
                account_needs_reauthorization(account, reason)
                raise KommoReauthorizationNeeded(f"{account.subdomain}: {reason}") from error
            raise
        finally:
            oauth.close()
        self.refreshes += 1
        self.account = account_tokens_store(account, tokens)
        return tokens.access_token


def kommo_client(account: KommoAccount, log: LogFn | None = None) -> KommoClient:
    """The API client of `account`, with its token source and its rate-limit bucket."""
    return KommoClient(
        base_url=kommo_base_url(account.subdomain),
        subdomain=account.subdomain,
        tokens=AccountTokens(account, log),
        rate_per_second=settings.KOMMO_RATE_LIMIT_PER_SECOND,
        log=log,
    )
