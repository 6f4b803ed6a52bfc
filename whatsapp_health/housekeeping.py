"""Daily cleanup of sessions without activity and hourly closing of inactive conversations.

Activity is a message in or out seen by a webhook (or the session's creation, for one that never had any):
a session quiet for more than WHATSAPP_SESSION_RETENTION_DAYS is ARCHIVED: no longer checked, its
history and conversations kept."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from orchestration.models import Execution
from whatsapp_health.models import Conversation, ConversationStatus, SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.status import session_status_set

CLEANUP_KIND = "WHATSAPP_CLEANUP"
CLEANUP_LOCK_KEY = "whatsapp:cleanup"
CONVERSATIONS_KIND = "WHATSAPP_CONVERSATIONS_CLOSE"
CONVERSATIONS_LOCK_KEY = "whatsapp:conversations"


def sessions_cleanup(
    *, now: datetime | None = None, execution: Execution | None = None, log: Callable[[str], None] | None = None
) -> int:
    """Archives the sessions whose last activity is more than the retention period ago; returns how many."""
    now = now or timezone.now()
    days = settings.WHATSAPP_SESSION_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    quiet = WhatsAppSession.objects.exclude(status=SessionStatus.ARCHIVED).filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )
    archived = 0
    for session in quiet.order_by("pk"):
        last = session.last_activity_at or session.created_at
        reason = f"sem atividade desde {timezone.localtime(last):%d/%m/%Y} (mais de {days} dias)"
        if session_status_set(
            session,
            to=SessionStatus.ARCHIVED,
            source=TransitionSource.CHECK,
            reason=reason,
            execution=execution,
            now=now,
        ):
            archived += 1
            if log is not None:
                log(f"Sessão {session.instance} arquivada: {reason}.")
    return archived


def conversations_close_inactive(*, now: datetime | None = None) -> int:
    """Closes the open conversations without a message for more than WHATSAPP_CONVERSATION_INACTIVE_MINUTES."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.WHATSAPP_CONVERSATION_INACTIVE_MINUTES)
    return Conversation.objects.filter(status=ConversationStatus.OPEN, last_message_at__lt=cutoff).update(
        status=ConversationStatus.CLOSED, closed_at=now
    )


def conversation_touch(*, session: WhatsAppSession, contact_id: str, at: datetime) -> bool:
    """Records a message of `contact_id` at `at` (opening or reopening the conversation) and the session's
    activity. A message not newer than what is stored (a replayed webhook) changes nothing: False."""
    contact_id = contact_id[:120]
    conversation, created = Conversation.objects.get_or_create(
        session=session, contact_id=contact_id, defaults={"last_message_at": at}
    )
    newer = created or bool(
        Conversation.objects.filter(pk=conversation.pk, last_message_at__lt=at).update(
            last_message_at=at, status=ConversationStatus.OPEN, closed_at=None
        )
    )
    WhatsAppSession.objects.filter(pk=session.pk).filter(
        Q(last_activity_at__lt=at) | Q(last_activity_at__isnull=True)
    ).update(last_activity_at=at)
    return newer
