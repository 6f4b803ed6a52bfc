"""Provider webhooks through the API: authentication (wrong key or HMAC → 403), connection events applied
at once, flapping folded into one transition, message events as conversation activity, replays harmless."""

import json

import pytest
from rest_framework.test import APIClient

from whatsapp_health.models import Conversation, ConversationStatus, SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.webhooks import waha_signature

pytestmark = pytest.mark.django_db

EVOLUTION_URL = "/api/v1/whatsapp/webhooks/evolution"
WAHA_URL = "/api/v1/whatsapp/webhooks/waha"


def _post(url: str, body: bytes, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
    return APIClient().post(url, data=body, content_type="application/json", **extra)


def test_evolution_connection_update_is_applied_at_once(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", state="open", status=SessionStatus.CONNECTED)

    response = _post(EVOLUTION_URL, evolution.connection_update("loja", "close", status_reason=428))

    assert response.status_code == 200, response.content
    assert response.json() == {"session": session.pk, "event": "connection.update", "applied": True}
    session.refresh_from_db()
    assert session.status == SessionStatus.DISCONNECTED
    [transition] = session.transitions.all()
    assert (transition.source, transition.provider_state, transition.reason) == (
        TransitionSource.WEBHOOK,
        "close",
        "statusReason 428",
    )


def test_evolution_logged_out_and_refused_ask_for_a_new_qr_code(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", status=SessionStatus.CONNECTED)
    other = make_session("suporte", status=SessionStatus.CONNECTED)

    _post(EVOLUTION_URL, evolution.connection_update("loja", "close", status_reason=401))
    # byEvents=true: the event name travels in the path as well.
    _post(f"{EVOLUTION_URL}/connection-update", evolution.connection_update("suporte", "refused"))

    session.refresh_from_db()
    other.refresh_from_db()
    assert (session.status, other.status) == (SessionStatus.QR_REQUIRED, SessionStatus.QR_REQUIRED)


def test_evolution_webhook_with_a_wrong_key_is_refused_and_changes_nothing(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", status=SessionStatus.CONNECTED, webhook_secret="s3cret")

    wrong_key = _post(EVOLUTION_URL, evolution.connection_update("loja", "close", apikey="not-the-token"))
    no_key = _post(EVOLUTION_URL, evolution.connection_update("loja", "close", apikey=""))
    wrong_header = _post(
        EVOLUTION_URL, evolution.connection_update("loja", "close", apikey=""), {"X-Webhook-Secret": "guess"}
    )
    unknown = _post(EVOLUTION_URL, evolution.connection_update("loja", "close").replace(b'"loja"', b'"outra"'))

    assert [r.status_code for r in (wrong_key, no_key, wrong_header, unknown)] == [403, 403, 403, 403]
    assert wrong_key.json()["error"]["message"].startswith("Webhook recusado")
    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED
    # The secret header is the other accepted credential.
    accepted = _post(
        EVOLUTION_URL, evolution.connection_update("loja", "close", apikey=""), {"X-Webhook-Secret": "s3cret"}
    )
    assert accepted.status_code == 200


def test_waha_hmac_is_checked_on_the_raw_body(make_session, waha) -> None:  # type: ignore[no-untyped-def]
    session = make_session("default", provider="WAHA", hmac_key="hmac-key", status=SessionStatus.CONNECTED)

    body, headers = waha.session_status("default", "SCAN_QR_CODE", key="other-key")
    assert _post(WAHA_URL, body, headers).status_code == 403
    body, headers = waha.session_status("default", "SCAN_QR_CODE")
    assert _post(WAHA_URL, body + b" ", headers).status_code == 403  # one byte more: another signature
    unsigned = {k: v for k, v in headers.items() if k != "X-Webhook-Hmac"}
    assert _post(WAHA_URL, body, unsigned).status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED

    response = _post(WAHA_URL, body, headers)

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.status == SessionStatus.QR_REQUIRED


def test_a_replayed_or_late_connection_event_is_harmless(make_session, waha) -> None:  # type: ignore[no-untyped-def]
    session = make_session("default", provider="WAHA", hmac_key="k", status=SessionStatus.CONNECTED)
    older = waha.session_status("default", "STOPPED")
    signed, headers = waha.signed("default", "session.status", {"name": "default", "status": "WORKING"})
    payload = json.loads(signed)
    payload["timestamp"] += 5000  # five seconds later
    body = json.dumps(payload).encode()
    newer = (body, {**headers, "X-Webhook-Hmac": waha_signature(body, "k")})

    assert _post(WAHA_URL, *older).json()["applied"] is True
    assert _post(WAHA_URL, *older).json()["applied"] is False  # the same event again
    assert _post(WAHA_URL, *newer).json()["applied"] is True
    assert _post(WAHA_URL, *older).json()["applied"] is False  # late: older than the one applied

    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED


def test_flapping_inside_one_check_period_is_one_transition(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", status=SessionStatus.DISCONNECTED)

    for state in ["connecting", "open", "close", "connecting", "open", "close", "connecting", "open"]:
        assert _post(EVOLUTION_URL, evolution.connection_update("loja", state)).status_code == 200

    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED
    [transition] = session.transitions.all()
    assert (transition.from_status, transition.to_status) == (SessionStatus.DISCONNECTED, SessionStatus.CONNECTED)

    # A loop that ends where it began leaves no transition at all.
    steady = make_session("suporte", status=SessionStatus.CONNECTED)
    for state in ["close", "connecting", "open"]:
        _post(EVOLUTION_URL, evolution.connection_update("suporte", state))
    steady.refresh_from_db()
    assert steady.status == SessionStatus.CONNECTED and steady.transitions.count() == 0


def test_message_events_open_conversations_and_count_as_activity(make_session, evolution, waha) -> None:  # type: ignore[no-untyped-def]
    evolution_session = make_session("loja")
    waha_session = make_session("default", provider="WAHA", hmac_key="k")
    message = evolution.message("loja", "5511911112222@s.whatsapp.net", timestamp=1_700_000_000)

    assert _post(EVOLUTION_URL, message).json()["applied"] is True
    assert _post(EVOLUTION_URL, message).json()["applied"] is False  # replay
    assert _post(WAHA_URL, *waha.message("default", "5511933334444@c.us", from_me=True)).json()["applied"] is True

    first = Conversation.objects.get(session=evolution_session)
    assert first.contact_id == "5511911112222@s.whatsapp.net" and first.status == ConversationStatus.OPEN
    assert int(first.last_message_at.timestamp()) == 1_700_000_000
    second = Conversation.objects.get(session=waha_session)
    assert second.contact_id == "5511933334444@c.us"
    evolution_session.refresh_from_db()
    assert int(evolution_session.last_activity_at.timestamp()) == 1_700_000_000


def test_a_body_that_is_not_json_is_a_clear_400(make_session) -> None:  # type: ignore[no-untyped-def]
    make_session("loja")

    response = _post(EVOLUTION_URL, b"{not json")

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_the_fakes_deliver_their_webhooks_over_http(make_session, evolution, waha, live_server) -> None:  # type: ignore[no-untyped-def]
    make_session("loja", status=SessionStatus.CONNECTED)
    make_session("default", provider="WAHA", hmac_key="k", status=SessionStatus.CONNECTED)

    assert evolution.send(live_server.url + EVOLUTION_URL, evolution.connection_update("loja", "close")) == 200
    assert waha.send(live_server.url + WAHA_URL, waha.session_status("default", "FAILED")) == 200
    assert waha.send(live_server.url + WAHA_URL, waha.session_status("default", "WORKING", key="wrong")) == 403

    statuses = dict(WhatsAppSession.objects.values_list("instance", "status"))
    assert statuses == {"loja": SessionStatus.DISCONNECTED, "default": SessionStatus.FAILED}
