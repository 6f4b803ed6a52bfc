"""Provider webhooks: authenticate, then apply connection events at once and message events to
conversation activity. Replays are harmless: an event older than the last one applied is ignored, the
same state twice is no change, and a message not newer than the conversation's last one changes nothing.

Evolution: the envelope's `apikey` (the instance's token) must be the session's API key, or the header
`X-Webhook-Secret` its webhook secret. WAHA: `X-Webhook-Hmac` must be the hex HMAC-SHA512 of the raw body
with the session's webhook secret (its API key when none is set)."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from whatsapp_health.clients.base import ProviderState
from whatsapp_health.clients.evolution import evolution_state
from whatsapp_health.clients.waha import waha_state
from whatsapp_health.exceptions import WebhookForbidden, WebhookInvalid
from whatsapp_health.housekeeping import conversation_touch
from whatsapp_health.models import Provider, TransitionSource, WhatsAppSession
from whatsapp_health.status import session_status_set

EVOLUTION_SECRET_HEADER = "x-webhook-secret"  # noqa: S105 - a header name
WAHA_HMAC_HEADER = "x-webhook-hmac"
EVOLUTION_MESSAGE_EVENTS = frozenset({"messages.upsert", "send.message"})
WAHA_MESSAGE_EVENTS = frozenset({"message", "message.any"})


@dataclass(frozen=True)
class WebhookOutcome:
    session_id: int
    event: str
    applied: bool  # False: a replay, an event we ignore, or an archived session


def _envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body or b"null")
    except ValueError as error:
        raise WebhookInvalid(_("O corpo do webhook não é JSON válido.")) from error
    if not isinstance(envelope, dict):
        raise WebhookInvalid(_("O corpo do webhook deve ser um objeto JSON."))
    return envelope


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _same(given: object, expected: str) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def _timestamp(value: object) -> datetime | None:
    """Seconds or milliseconds since the epoch, or an ISO 8601 text."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        return parsed
    return None


def _apply_state(session: WhatsAppSession, state: ProviderState, event_at: datetime | None) -> bool:
    with transaction.atomic():
        session = WhatsAppSession.objects.select_for_update().get(pk=session.pk)
        if session.is_archived:
            return False
        if event_at is not None and session.last_event_at is not None and event_at < session.last_event_at:
            return False  # an older event delivered late (or replayed): the newer one already counted
        session.last_provider_state = state.raw_state[:40]
        if event_at is not None:
            session.last_event_at = event_at
        session.save(update_fields=["last_provider_state", "last_event_at", "updated_at"])
    return session_status_set(
        session,
        to=state.status,
        source=TransitionSource.WEBHOOK,
        provider_state=state.raw_state,
        reason=state.reason,
        now=timezone.now(),
    )


def _apply_message(session: WhatsAppSession, contact_id: object, sent_at: datetime | None) -> bool:
    if session.is_archived or not isinstance(contact_id, str) or not contact_id:
        return False
    now = timezone.now()
    return conversation_touch(session=session, contact_id=contact_id, at=min(sent_at or now, now))


def evolution_webhook_receive(*, body: bytes, headers: Mapping[str, str], event_path: str = "") -> WebhookOutcome:
    envelope = _envelope(body)
    instance = envelope.get("instance")
    if isinstance(instance, dict):
        instance = instance.get("instanceName")
    secret = headers.get(EVOLUTION_SECRET_HEADER, "")
    session = next(
        (
            candidate
            for candidate in WhatsAppSession.objects.filter(provider=Provider.EVOLUTION, instance=str(instance or ""))
            if _same(envelope.get("apikey"), candidate.api_key or "") or _same(secret, candidate.webhook_secret or "")
        ),
        None,
    )
    if session is None:
        raise WebhookForbidden(_("Webhook recusado: chave da instância ou segredo inválido."))
    # With byEvents the event travels in the path (`/connection-update`); the envelope's name wins.
    event = str(envelope.get("event") or event_path.replace("-", ".")).lower()
    data = _object(envelope.get("data"))
    event_at = _timestamp(envelope.get("date_time"))
    applied = False
    if event == "connection.update":
        state = evolution_state(data.get("state"), data.get("statusReason"))
        if state is None:
            raise WebhookInvalid(_("connection.update sem um estado conhecido em data.state."))
        applied = _apply_state(session, state, event_at)
    elif event == "qrcode.updated":
        applied = _apply_state(session, ProviderState("QR_REQUIRED", "qrcode"), event_at)
    elif event == "logout.instance":
        applied = _apply_state(session, ProviderState("QR_REQUIRED", "logout", "LOGOUT_INSTANCE"), event_at)
    elif event in EVOLUTION_MESSAGE_EVENTS:
        key = _object(data.get("key"))
        applied = _apply_message(session, key.get("remoteJid"), _timestamp(data.get("messageTimestamp")) or event_at)
    return WebhookOutcome(session.pk, event, applied)


def waha_signature(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def waha_webhook_receive(*, body: bytes, headers: Mapping[str, str]) -> WebhookOutcome:
    signature = headers.get(WAHA_HMAC_HEADER, "")
    envelope = _envelope(body)
    name = str(envelope.get("session") or "")
    session = next(
        (
            candidate
            for candidate in WhatsAppSession.objects.filter(provider=Provider.WAHA, instance=name)
            if _same(signature.lower(), waha_signature(body, candidate.webhook_secret or candidate.api_key or ""))
        ),
        None,
    )
    if session is None:
        raise WebhookForbidden(_("Webhook recusado: assinatura X-Webhook-Hmac inválida."))
    event = str(envelope.get("event") or "")
    payload = _object(envelope.get("payload"))
    event_at = _timestamp(envelope.get("timestamp")) or _timestamp(headers.get("x-webhook-timestamp"))
    applied = False
    if event == "session.status":
        state = waha_state(payload.get("status"))
        if state is None:
            raise WebhookInvalid(_("session.status sem uma situação conhecida em payload.status."))
        applied = _apply_state(session, state, event_at)
    elif event in WAHA_MESSAGE_EVENTS:
        contact = payload.get("to") if payload.get("fromMe") else payload.get("from")
        applied = _apply_message(session, contact, _timestamp(payload.get("timestamp")) or event_at)
    return WebhookOutcome(session.pk, event, applied)
