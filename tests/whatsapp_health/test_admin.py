"""The admin: sessions registered with a write-only API key, the maintenance tasks as actions, the history
inline; operators run actions but do not register sessions."""

import pytest
from django.test import Client

from orchestration.models import Execution, ExecutionStatus
from whatsapp_health.checks import CHECK_KIND, SESSION_CHECK_KIND
from whatsapp_health.housekeeping import CLEANUP_KIND
from whatsapp_health.models import SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db
LIST = "/admin/whatsapp_health/whatsappsession/"


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_registers_a_session_and_never_sees_the_key_again(admin_user, evolution) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(admin_user)
    form = {
        "name": "Loja",
        "provider": "EVOLUTION",
        "base_url": evolution.url,
        "api_key": "chave-secreta",
        "webhook_secret": "",
        "instance": "loja",
        "phone": "",
        "company": "",
        "owner": "",
        "is_default": "on",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
        "transitions-MIN_NUM_FORMS": "0",
        "transitions-MAX_NUM_FORMS": "0",
    }

    response = client.post(f"{LIST}add/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    session = WhatsAppSession.objects.get()
    assert session.api_key == "chave-secreta" and session.is_default
    page = client.get(f"{LIST}{session.pk}/change/").content.decode()
    assert "chave-secreta" not in page


def test_operators_run_the_actions_but_cannot_add(
    make_session, operator_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    session = make_session("abc123", state="open", status=SessionStatus.DISCONNECTED)
    client = logged_in(operator_user)
    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}add/").status_code == 403

    client.post(LIST, {"action": "sync_selected", "_selected_action": [session.pk]})
    with django_capture_on_commit_callbacks() as sent:
        client.post(LIST, {"action": "sync_all", "_selected_action": [session.pk]})
        client.post(LIST, {"action": "cleanup_sessions", "_selected_action": [session.pk]})

    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED
    runs = list(Execution.objects.order_by("id").values_list("kind", "status"))
    assert runs == [
        (SESSION_CHECK_KIND, ExecutionStatus.SUCCEEDED),
        (CHECK_KIND, ExecutionStatus.QUEUED),
        (CLEANUP_KIND, ExecutionStatus.QUEUED),
    ]
    assert len(sent) == 2
    page = client.get(f"{LIST}{session.pk}/change/").content.decode()
    assert "DISCONNECTED" in page or "Desconectada" in page  # the history inline
