"""The real-status check against the fakes: drift corrected both ways, the consecutive-failure rule, the
`connecting`-while-connected debounce, archived sessions left out, bounded concurrency, the overlap lock."""

import time
from typing import Any

import pytest

from orchestration.models import ExecutionStatus, Trigger
from orchestration.services.locks import lock_acquire, lock_release
from tests.fakes.evolution import NOT_LOADED
from tests.fakes.whatsapp_common import GARBAGE, SERVER_ERROR, TIMEOUT, UNAUTHORIZED
from whatsapp_health.checks import LOCK_KEY
from whatsapp_health.models import CheckOutcome, SessionStatus, TransitionSource, WhatsAppSession
from whatsapp_health.runs import session_check_run, sessions_check_run

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def _lines(execution: Any) -> list[str]:
    return list(execution.log_lines.values_list("message", flat=True))


def test_drift_is_corrected_both_ways_and_logged_as_the_source_did(make_session, evolution, waha) -> None:  # type: ignore[no-untyped-def]
    came_back = make_session("abc123", state="open", status=SessionStatus.DISCONNECTED)
    dropped = make_session("loja", state="close", status=SessionStatus.CONNECTED)
    needs_qr = make_session("atendimento", provider="WAHA", state="SCAN_QR_CODE", status=SessionStatus.CONNECTED)
    stopped = make_session("cobranca", provider="WAHA", state="STOPPED", status=SessionStatus.CONNECTED)
    unchanged = make_session("vendas", provider="WAHA", state="WORKING", status=SessionStatus.CONNECTED)

    execution = sessions_check_run(trigger=Trigger.MANUAL)

    assert execution.status == ExecutionStatus.SUCCEEDED
    statuses = dict(WhatsAppSession.objects.values_list("instance", "status"))
    assert statuses == {
        "abc123": SessionStatus.CONNECTED,
        "loja": SessionStatus.DISCONNECTED,
        "atendimento": SessionStatus.QR_REQUIRED,
        "cobranca": SessionStatus.DISCONNECTED,
        "vendas": SessionStatus.CONNECTED,
    }
    lines = _lines(execution)
    assert lines[0] == "Starting scheduled session status sync..."
    assert "Syncing session abc123: marking as CONNECTED (was DISCONNECTED)" in lines
    assert "Syncing session loja: marking as DISCONNECTED (was CONNECTED)" in lines
    assert lines[-2].startswith("Scheduled session status sync completed")
    assert execution.counters == {"sessions": 5, "checked_ok": 5, "checks_failed": 0, "status_changed": 4}
    [transition] = came_back.transitions.all()
    assert (transition.from_status, transition.to_status, transition.source, transition.provider_state) == (
        SessionStatus.DISCONNECTED,
        SessionStatus.CONNECTED,
        TransitionSource.CHECK,
        "open",
    )
    assert transition.execution_id == execution.pk
    for session in (dropped, needs_qr, stopped, unchanged):
        session.refresh_from_db()
        assert session.last_check_outcome == CheckOutcome.OK and session.last_checked_at is not None
    assert unchanged.transitions.count() == 0
    assert stopped.last_provider_state == "STOPPED"


@pytest.mark.parametrize("fault", [SERVER_ERROR, GARBAGE, TIMEOUT, UNAUTHORIZED, NOT_LOADED])
def test_a_provider_that_fails_leaves_the_status_alone_until_the_third_failure(
    fault: str, make_session, evolution, settings
) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", state="open", status=SessionStatus.CONNECTED)
    if fault == NOT_LOADED:
        evolution.set_state("loja", NOT_LOADED)
    elif fault == UNAUTHORIZED:
        evolution.fault = UNAUTHORIZED
    else:
        evolution.instances["loja"].fault = fault

    for attempt in (1, 2):
        execution = session_check_run(session)
        session.refresh_from_db()
        assert session.status == SessionStatus.CONNECTED, attempt
        assert (session.consecutive_failures, session.last_check_outcome) == (attempt, CheckOutcome.FAILED)
        assert session.last_check_error
        assert execution.status == ExecutionStatus.PARTIAL
    if fault == TIMEOUT:
        return  # the third timeout would cost another second; the rule is the same for every failure
    session_check_run(session)
    session.refresh_from_db()
    assert session.status == SessionStatus.DISCONNECTED
    [transition] = session.transitions.all()
    assert transition.reason.startswith("3 verificações seguidas falharam")


def test_the_failure_reason_says_what_went_wrong_and_an_answer_resets_the_count(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", state="open", status=SessionStatus.CONNECTED)
    evolution.instances["loja"].fault = GARBAGE
    session_check_run(session)
    session.refresh_from_db()
    assert "não é JSON válido" in session.last_check_error
    assert session.api_key not in session.last_check_error

    evolution.instances["loja"].fault = ""
    session_check_run(session)
    session.refresh_from_db()
    assert (session.consecutive_failures, session.last_check_outcome, session.last_check_error) == (
        0,
        CheckOutcome.OK,
        "",
    )


def test_connecting_while_connected_waits_for_a_second_reading_unless_forced(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", state="connecting", status=SessionStatus.CONNECTED)
    other = make_session("suporte", state="connecting", status=SessionStatus.CONNECTED)

    session_check_run(session)
    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTED
    session_check_run(session)
    session.refresh_from_db()
    assert session.status == SessionStatus.CONNECTING

    session_check_run(other, force=True)
    other.refresh_from_db()
    assert other.status == SessionStatus.CONNECTING


def test_archived_sessions_are_not_checked(make_session, evolution) -> None:  # type: ignore[no-untyped-def]
    make_session("loja", state="close", status=SessionStatus.ARCHIVED)

    execution = sessions_check_run()

    assert evolution.instances["loja"].checks == 0
    assert WhatsAppSession.objects.get().status == SessionStatus.ARCHIVED
    assert execution.counters["sessions"] == 0


def test_checks_run_concurrently_within_the_bound(make_session, evolution, waha, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_CHECK_CONCURRENCY = 8
    for number in range(16):
        provider = "WAHA" if number % 2 else "EVOLUTION"
        make_session(f"s{number:02d}", provider=provider, delay=0.25, status=SessionStatus.DISCONNECTED)

    started = time.monotonic()
    execution = sessions_check_run()
    elapsed = time.monotonic() - started

    assert execution.counters["status_changed"] == 16
    # 16 × 0.25 s one after another is 4 s; 8 at a time is 0.5 s plus our own writes.
    assert 0.5 <= elapsed < 2.5


def test_a_run_that_would_overlap_is_skipped_by_the_ledger_lock(make_session) -> None:  # type: ignore[no-untyped-def]
    make_session("loja", state="close", status=SessionStatus.CONNECTED)
    assert lock_acquire(key=LOCK_KEY, owner="running-check", ttl_seconds=60)
    try:
        execution = sessions_check_run()
    finally:
        lock_release(key=LOCK_KEY, owner="running-check")

    assert execution.status == ExecutionStatus.SKIPPED
    assert WhatsAppSession.objects.get().status == SessionStatus.CONNECTED
