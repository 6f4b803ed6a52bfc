"""The real-status check: ask each session's provider for its state and correct the stored one.

A provider that does not answer, times out or answers garbage leaves the stored status alone and marks the
check failed with the reason; a live session becomes DISCONNECTED only after
WHATSAPP_FAILURES_BEFORE_DISCONNECTED failed checks in a row (or a real `close`). Evolution reports
`connecting` while the phone is connected: a CONNECTED session that reads `connecting` waits for the next
check to confirm it, unless the check is forced.

The 5-minute check of every session is one execution that asks up to WHATSAPP_CHECK_CONCURRENCY providers
at once from a thread pool (threads only wait on HTTP; every database write happens in the run's own
thread), under the ledger lock `whatsapp:check`: a run that would overlap the previous one is SKIPPED."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from orchestration.models import Execution, LogLevel
from orchestration.outbound import ExternalApiError
from orchestration.services.runner import JobContext
from whatsapp_health.clients import ProviderState, SessionEndpoint, client_for
from whatsapp_health.models import CheckOutcome, SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.selectors import sessions_to_check
from whatsapp_health.session_alerts import open_session_fingerprints, session_alerts_update
from whatsapp_health.status import LIVE, session_status_set

logger = logging.getLogger(__name__)

CHECK_KIND = "WHATSAPP_CHECK"
SESSION_CHECK_KIND = "WHATSAPP_SESSION_CHECK"
LOCK_KEY = "whatsapp:check"
LOCK_TTL_SECONDS = 10 * 60

CHANGED, UNCHANGED, FAILED, SKIPPED = "changed", "unchanged", "failed", "skipped"


@dataclass(frozen=True)
class CheckResult:
    session_id: int
    state: ProviderState | None
    error: str = ""
    seconds: float = 0.0


def session_endpoint(session: WhatsAppSession) -> SessionEndpoint:
    return SessionEndpoint(
        session_id=session.pk,
        provider=session.provider,
        base_url=session.base_url,
        api_key=session.api_key or "",
        instance=session.instance,
    )


def provider_state_fetch(endpoint: SessionEndpoint) -> CheckResult:
    """One question to one provider; never raises (a failure is a result). Safe to run in a thread."""
    started = timezone.now()
    client = client_for(endpoint)
    try:
        state = client.fetch_state()
        error = ""
    except ExternalApiError as failure:
        state, error = None, str(failure)
    except Exception as failure:  # a bug or an unexpected body must fail this check, not the whole run
        logger.exception("whatsapp check of session %s", endpoint.session_id)
        state, error = None, f"{type(failure).__name__}: {failure}"
    finally:
        client.close()
    return CheckResult(endpoint.session_id, state, error[:2000], (timezone.now() - started).total_seconds())


def session_check_apply(
    session: WhatsAppSession,
    result: CheckResult,
    *,
    force: bool = False,
    execution: Execution | None = None,
    log: Callable[[str, str], None] | None = None,
) -> str:
    """Writes what one check found. Returns CHANGED, UNCHANGED, FAILED or SKIPPED (archived meanwhile)."""
    now = timezone.now()
    session.refresh_from_db()
    if session.is_archived:
        return SKIPPED

    def say(message: str, level: str = LogLevel.INFO) -> None:
        if log is not None:
            log(message, level)

    if result.state is None:
        WhatsAppSession.objects.filter(pk=session.pk).update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_checked_at=now,
            last_check_outcome=CheckOutcome.FAILED,
            last_check_error=result.error,
        )
        session.refresh_from_db()
        failures, limit = session.consecutive_failures, settings.WHATSAPP_FAILURES_BEFORE_DISCONNECTED
        say(
            f"Sessão {session.instance}: verificação falhou ({failures}ª seguida de {limit}); "
            f"situação mantida ({session.status}). {result.error}",
            LogLevel.WARNING,
        )
        if failures >= limit and session.status in LIVE:
            session_status_set(
                session,
                to=SessionStatus.DISCONNECTED,
                source=TransitionSource.CHECK,
                reason=f"{failures} verificações seguidas falharam: {result.error}"[:2000],
                execution=execution,
                log=say,
                now=now,
            )
        return FAILED

    state = result.state
    previous_raw = session.last_provider_state
    WhatsAppSession.objects.filter(pk=session.pk).update(
        consecutive_failures=0,
        last_checked_at=now,
        last_check_ok_at=now,
        last_check_outcome=CheckOutcome.OK,
        last_check_error="",
        last_provider_state=state.raw_state[:40],
    )
    session.refresh_from_db()
    unconfirmed = (
        session.status == SessionStatus.CONNECTED
        and state.status == SessionStatus.CONNECTING
        and previous_raw != state.raw_state
    )
    if unconfirmed and not force:
        say(
            f"Sessão {session.instance}: o provedor diz '{state.raw_state}' mas a sessão estava conectada; "
            "a próxima verificação confirma."
        )
        return UNCHANGED
    changed = session_status_set(
        session,
        to=state.status,
        source=TransitionSource.CHECK,
        provider_state=state.raw_state,
        reason=state.reason,
        execution=execution,
        log=say,
        now=now,
    )
    if not changed:
        say(f"Session status synced: {session.status}", LogLevel.DEBUG)
    return CHANGED if changed else UNCHANGED


def session_check_now(
    session: WhatsAppSession, *, force: bool = False, execution: Execution | None = None, log: Callable | None = None
) -> tuple[str, CheckResult]:
    """Checks one session in the caller's thread."""
    result = provider_state_fetch(session_endpoint(session))
    return session_check_apply(session, result, force=force, execution=execution, log=log), result


def sessions_check_job(context: JobContext, *, force: bool = False) -> dict[str, int]:
    """The body of the every-session check (see the module's docstring)."""
    context.log("Starting scheduled session status sync...")
    sessions = {session.pk: session for session in sessions_to_check()}
    concurrency = max(1, min(settings.WHATSAPP_CHECK_CONCURRENCY, len(sessions) or 1))
    context.log(f"{len(sessions)} sessões a verificar, até {concurrency} ao mesmo tempo.")
    tally = {CHANGED: 0, UNCHANGED: 0, FAILED: 0, SKIPPED: 0}
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="whatsapp-check")
    try:
        futures = [pool.submit(provider_state_fetch, session_endpoint(session)) for session in sessions.values()]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            outcome = session_check_apply(
                sessions[result.session_id], result, force=force, execution=context.execution, log=context.log
            )
            tally[outcome] += 1
            if done % 25 == 0:
                context.checkpoint()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    # Alerts depend on time as well as on changes: a session down for long enough alerts now.
    fingerprints = open_session_fingerprints()
    for session in sessions_to_check().select_related("owner"):
        session_alerts_update(session, open_fingerprints=fingerprints)
    counters = {
        "sessions": len(sessions),
        "checked_ok": tally[CHANGED] + tally[UNCHANGED],
        "checks_failed": tally[FAILED],
        "status_changed": tally[CHANGED],
    }
    context.set_counters(**counters)
    context.partial = tally[FAILED] > 0
    context.log(
        f"Scheduled session status sync completed: {counters['checked_ok']} responderam, "
        f"{tally[FAILED]} falharam, {tally[CHANGED]} mudaram de situação.",
        LogLevel.WARNING if tally[FAILED] else LogLevel.INFO,
    )
    return counters
