"""Cleanup of quiet sessions (29 days kept, 31 archived, history kept, no longer checked) and closing of
inactive conversations, as jobs in the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orchestration.models import ExecutionStatus
from whatsapp_health.housekeeping import conversation_touch
from whatsapp_health.models import Conversation, ConversationStatus, SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.runs import conversations_close_run, sessions_check_run, sessions_cleanup_run

pytestmark = pytest.mark.django_db


def test_sessions_quiet_for_more_than_30_days_are_archived_with_their_history_kept(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    recent = make_session("recente", status=SessionStatus.CONNECTED)
    quiet = make_session("parada", status=SessionStatus.DISCONNECTED)
    never = make_session("nunca", status=SessionStatus.CONNECTED)
    WhatsAppSession.objects.filter(pk=recent.pk).update(last_activity_at=now - timedelta(days=29))
    WhatsAppSession.objects.filter(pk=quiet.pk).update(last_activity_at=now - timedelta(days=31))
    WhatsAppSession.objects.filter(pk=never.pk).update(created_at=now - timedelta(days=31))
    conversation_touch(session=quiet, contact_id="5511@s.whatsapp.net", at=now - timedelta(days=31))
    WhatsAppSession.objects.filter(pk=quiet.pk).update(last_activity_at=now - timedelta(days=31))

    execution = sessions_cleanup_run()

    assert execution.status == ExecutionStatus.SUCCEEDED and execution.counters == {"sessions_archived": 2}
    statuses = dict(WhatsAppSession.objects.values_list("instance", "status"))
    assert statuses == {"recente": "CONNECTED", "parada": "ARCHIVED", "nunca": "ARCHIVED"}
    [archived] = quiet.transitions.all()
    assert (archived.from_status, archived.to_status, archived.source) == (
        SessionStatus.DISCONNECTED,
        SessionStatus.ARCHIVED,
        TransitionSource.CHECK,
    )
    assert "mais de 30 dias" in archived.reason
    assert Conversation.objects.filter(session=quiet).exists()  # history kept

    sessions_check_run()
    assert evolution.instances["parada"].checks == 0 and evolution.instances["recente"].checks == 1


def test_conversations_inactive_for_longer_than_the_setting_are_closed(make_session, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_CONVERSATION_INACTIVE_MINUTES = 60
    session = make_session("loja")
    now = timezone.now()
    conversation_touch(session=session, contact_id="ativa", at=now - timedelta(minutes=59))
    conversation_touch(session=session, contact_id="inativa", at=now - timedelta(minutes=61))

    execution = conversations_close_run()

    assert execution.counters == {"conversations_closed": 1}
    rows = dict(Conversation.objects.values_list("contact_id", "status"))
    assert rows == {"ativa": ConversationStatus.OPEN, "inativa": ConversationStatus.CLOSED}
    # A new message reopens it; an old one replayed does not.
    closed = Conversation.objects.get(contact_id="inativa")
    assert conversation_touch(session=session, contact_id="inativa", at=now - timedelta(minutes=90)) is False
    assert Conversation.objects.get(pk=closed.pk).status == ConversationStatus.CLOSED
    assert conversation_touch(session=session, contact_id="inativa", at=now) is True
    assert Conversation.objects.get(pk=closed.pk).status == ConversationStatus.OPEN
