"""The Salesbot `widget_request` handler's two halves: verifying Kommo's JWT (HS256, signed with the
integration's client secret) and continuing the bot through `return_url` once the sync is queued."""

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.kommo.configuration import kommo_base_url
from integrations.kommo.models import KommoAccount
from integrations.kommo.tokens import kommo_client

CLOCK_SKEW_SECONDS = 60


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def client_secrets() -> list[str]:
    """Every client secret a Salesbot JWT may be signed with: the setting's and the accounts' own."""
    found = [settings.KOMMO_CLIENT_SECRET] if settings.KOMMO_CLIENT_SECRET else []
    for account in KommoAccount.objects.exclude(client_secret="").only("client_secret"):
        if account.client_secret and account.client_secret not in found:
            found.append(str(account.client_secret))
    return found


def jwt_verify(token: str, secrets: list[str], now: float | None = None) -> dict[str, Any] | None:
    """The claims of an HS256 JWT signed with one of `secrets` and valid now (exp/nbf), else None."""
    parts = str(token or "").split(".")
    if len(parts) != 3 or not secrets:
        return None
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    signed = f"{parts[0]}.{parts[1]}".encode()
    if not any(
        hmac.compare_digest(hmac.new(secret.encode(), signed, hashlib.sha256).digest(), signature) for secret in secrets
    ):
        return None
    moment = time.time() if now is None else now
    try:
        if "exp" in claims and float(claims["exp"]) < moment - CLOCK_SKEW_SECONDS:
            return None
        if "nbf" in claims and float(claims["nbf"]) > moment + CLOCK_SKEW_SECONDS:
            return None
    except (TypeError, ValueError):
        return None
    return claims


def account_for_return_url(return_url: str) -> KommoAccount | None:
    """The active account whose API `return_url` points into; None for any other address (never call out
    to a host that is not one of our accounts)."""
    url = str(return_url or "")
    for account in KommoAccount.objects.filter(active=True):
        base = kommo_base_url(account.subdomain)
        if url.startswith(base + "/api/v4/salesbot/"):
            return account
    return None


def salesbot_continue(*, account_id: int, return_url: str, execution_id: int) -> None:
    account = KommoAccount.objects.get(pk=account_id)
    text = _("Sincronização Kommo iniciada (execução #%(id)d).") % {"id": execution_id}
    body = {
        "data": {"status": "success", "execution_id": execution_id},
        "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": text[:80]}}],
    }
    with kommo_client(account) as client:
        client.salesbot_continue(return_url, body)
