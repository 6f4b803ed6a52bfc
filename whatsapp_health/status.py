"""A session's stored status: every change goes through SESSION_MACHINE (a conditional UPDATE), records one
transition, logs it the way the source did ("marking as CONNECTED (was DISCONNECTED)") and updates alerts.

Flapping (`close → connecting → open` loops, a flood of `connection.update`) is folded: a change that comes
within one check period of the previous automatic one, continuing from where that one arrived, rewrites
that transition instead of adding another, and a loop back to where it started removes it. So a period of
flapping leaves at most one transition, from where the session was to where it ended."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orchestration.models import Execution
from orchestration.services.transitions import StatusMachine
from whatsapp_health.models import SessionStatus, SessionTransition, TransitionSource, WhatsAppSession
from whatsapp_health.session_alerts import session_alerts_update

logger = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 5 * 60
FOLD_WINDOW = timedelta(seconds=CHECK_EVERY_SECONDS)
LIVE = frozenset({SessionStatus.CONNECTED, SessionStatus.CONNECTING})
DOWN = frozenset({SessionStatus.DISCONNECTED, SessionStatus.QR_REQUIRED, SessionStatus.FAILED})
_WORKING = LIVE | DOWN

SESSION_MACHINE = StatusMachine(
    WhatsAppSession,
    {
        **{status: _WORKING - {status} for status in _WORKING},
        SessionStatus.ARCHIVED: _WORKING,
        # Restoring an archived session: it is checked again, and the first check tells its real state.
        SessionStatus.CONNECTING: (_WORKING - {SessionStatus.CONNECTING}) | {SessionStatus.ARCHIVED},
    },
)

LogFn = Callable[[str], None]


def transition_line(session: WhatsAppSession, to: str, was: str) -> str:
    return f"Syncing session {session.instance}: marking as {to} (was {was})"


def _timer_fields(current: str, to: str, now: datetime) -> dict[str, object]:
    """The alert timer starts when the session first goes down and stops only when it is CONNECTED again (or
    archived): a session looping through CONNECTING without ever connecting stays down."""
    if to in DOWN:
        return {"down_since": Coalesce(F("down_since"), Value(now))}
    if to == SessionStatus.CONNECTING:
        return {}
    return {"down_since": None}


def _record(
    session: WhatsAppSession,
    was: str,
    to: str,
    source: str,
    provider_state: str,
    reason: str,
    execution: Execution | None,
    now: datetime,
) -> None:
    last = session.transitions.select_for_update().order_by("-at", "-id").first()
    folds = (
        last is not None
        and TransitionSource.MANUAL not in (source, last.source)
        and SessionStatus.ARCHIVED not in (to, was)
        and last.to_status == was
        and now - last.at < FOLD_WINDOW
    )
    if last is not None and folds:
        if last.from_status == to:
            last.delete()  # back where it was before the flapping began: no change to keep
            return
        last.to_status = to
        last.source = source
        last.provider_state = provider_state[:40]
        last.reason = reason
        last.execution = execution or last.execution
        last.save(update_fields=["to_status", "source", "provider_state", "reason", "execution"])
        return
    SessionTransition.objects.create(
        session=session,
        from_status=was,
        to_status=to,
        at=now,
        source=source,
        provider_state=provider_state[:40],
        reason=reason,
        execution=execution,
    )


def session_status_set(
    session: WhatsAppSession,
    *,
    to: str,
    source: str,
    provider_state: str = "",
    reason: str = "",
    execution: Execution | None = None,
    log: LogFn | None = None,
    now: datetime | None = None,
) -> bool:
    """Moves `session` to `to`; False (nothing written) when it already is there or another writer moved it
    first (`session` is then refreshed). IllegalTransition is never raised here: callers that must answer
    409 use SESSION_MACHINE.check first."""
    now = now or timezone.now()
    was = session.status
    if to == was or not SESSION_MACHINE.allows(was, to):
        return False
    with transaction.atomic():
        if not SESSION_MACHINE.apply(session, to=to, status_changed_at=now, **_timer_fields(was, to, now)):
            return False
        _record(session, was, to, source, provider_state, reason, execution, now)
    line = transition_line(session, to, was)
    logger.info("[WhatsappSessionService] %s", line)
    if log is not None:
        log(line)
    session_alerts_update(session, now=now)
    return True
