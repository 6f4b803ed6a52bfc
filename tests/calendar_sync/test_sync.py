"""Both directions against the fake Google on the wire: batch pushes, idempotent creates, incremental pulls
with the sync token, 410 resync, echo suppression, rate limits, one failure not stopping the run."""

from datetime import timedelta

import pytest

from calendar_sync.models import Appointment, AppointmentStatus, CalendarSyncLog, LogStatus
from calendar_sync.services import appointment_update
from orchestration.models import ExecutionStatus
from tests.calendar_sync.helpers import run_sync, writes

pytestmark = pytest.mark.django_db


def test_first_push_is_one_batch_with_the_template_and_a_second_run_writes_nothing(
    google, connect, pro_a, make_appointments
) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    make_appointments(pro_a, 30)
    before = len(google.seen)

    execution = run_sync(integration)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.counters["created"] == 30
    assert writes(google, before) == ["POST /batch/calendar/v3"]  # 30 inserts in one batch request
    events = google.live_events(pro_a.email)
    assert len(events) == 30
    event = next(e for e in events if e["summary"].endswith("Cliente 0"))
    assert event["summary"] == "[Agendamento] Corte de cabelo - Cliente 0"
    for line in (
        "Serviço: Corte de cabelo",
        "Duração: 30 min",
        "Cliente: Cliente 0",
        "Telefone: (11) 99999-0000",
        "Email: cliente0@example.com",
        "Profissional: Maria",
        "Status: Agendado",
        "Observações: Trazer documento",
    ):
        assert line in event["description"]
    appointment = Appointment.objects.get(client_name="Cliente 0")
    assert event["extendedProperties"]["private"] == {"orquestra_appointment": str(appointment.uid)}
    assert event["reminders"]["overrides"] == [{"method": "popup", "minutes": 15}, {"method": "popup", "minutes": 60}]
    assert event["id"] == appointment.google_event_id and appointment.google_etag == event["etag"]

    before = len(google.seen)
    again = run_sync(integration)
    assert again.counters["created"] == again.counters["updated"] == 0
    assert writes(google, before) == []  # our 30 inserts came back through the sync token: no echo


def test_changes_made_in_google_come_back_once_and_never_ping_pong(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    moved, deleted, untouched = make_appointments(pro_a, 3)
    run_sync(integration)
    for appointment in (moved, deleted, untouched):
        appointment.refresh_from_db()
    new_start = moved.start + timedelta(hours=2)
    google.google_edit(pro_a.email, moved.google_event_id, start=new_start, end=new_start + timedelta(minutes=45))
    google.google_delete(pro_a.email, deleted.google_event_id)
    google.google_edit(pro_a.email, untouched.google_event_id, summary="renamed by the user")  # a field we do not sync
    google.google_create(pro_a.email, "Almoço", moved.start)  # not ours: left alone

    execution = run_sync(integration)

    assert execution.counters["applied"] == 2, execution.counters
    moved.refresh_from_db()
    deleted.refresh_from_db()
    untouched_before = untouched.start
    untouched.refresh_from_db()
    assert (moved.start, moved.duration_minutes) == (new_start, 45)
    assert deleted.status == AppointmentStatus.CANCELLED
    assert untouched.start == untouched_before
    assert not moved.changed_locally and not deleted.changed_locally  # applied from Google: nothing to push back
    assert Appointment.objects.count() == 3

    before = len(google.seen)
    again = run_sync(integration)
    assert writes(google, before) == [] and again.counters["applied"] == 0


def test_a_change_made_here_patches_the_event_with_its_etag(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    (appointment,) = make_appointments(pro_a, 1)
    run_sync(integration)
    appointment.refresh_from_db()
    appointment = appointment_update(appointment=appointment, service="Coloração", duration_minutes=90)
    assert appointment.changed_locally

    execution = run_sync(integration)

    assert execution.counters["updated"] == 1
    event = google.events[pro_a.email][appointment.google_event_id]
    assert event["summary"] == "[Agendamento] Coloração - Cliente 0"
    batch = [r for r in google.seen if r.path == "/batch/calendar/v3"][-1]
    assert b"If-Match: " in batch.body and b"PATCH /calendar/v3/calendars/" in batch.body
    appointment.refresh_from_db()
    assert not appointment.changed_locally

    appointment_update(appointment=appointment, status=AppointmentStatus.CANCELLED)
    run_sync(integration)
    assert google.events[pro_a.email][appointment.google_event_id]["status"] == "cancelled"


def test_a_retried_insert_never_makes_a_second_event(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    (appointment,) = make_appointments(pro_a, 1)
    # The first attempt reached Google but its answer was lost: the event with our id is already there.
    body = {
        "id": appointment.event_id,
        "summary": "old",
        "start": {"dateTime": appointment.start.isoformat()},
        "end": {"dateTime": (appointment.start + timedelta(minutes=30)).isoformat()},
        "extendedProperties": {"private": {"orquestra_appointment": str(appointment.uid)}},
    }
    google._store(pro_a.email, body, appointment.event_id)

    execution = run_sync(integration)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert len(google.live_events(pro_a.email)) == 1
    assert google.live_events(pro_a.email)[0]["summary"] == "[Agendamento] Corte de cabelo - Cliente 0"


def test_a_stale_sync_token_410_lists_everything_again(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    (appointment,) = make_appointments(pro_a, 1)
    run_sync(integration)
    appointment.refresh_from_db()
    google.expire_sync_tokens()
    new_start = appointment.start + timedelta(days=1)
    google.google_edit(pro_a.email, appointment.google_event_id, start=new_start, end=new_start + timedelta(minutes=30))

    execution = run_sync(integration)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.counters["full_resync"] == 1
    appointment.refresh_from_db()
    assert appointment.start == new_start
    lists = [r for r in google.seen if r.path.endswith("/events") and r.method == "GET"]
    assert "syncToken" in lists[-2].query and "syncToken" not in lists[-1].query and "timeMin" in lists[-1].query
    integration.refresh_from_db()
    assert integration.sync_token.startswith(f"st-{google.token_generation}-")


def test_paging_stores_the_sync_token_of_the_last_page_only(
    google, connect, pro_a, make_appointments, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("calendar_sync.pull.PAGE_SIZE", 4)
    integration = connect(pro_a)
    make_appointments(pro_a, 10)
    execution = run_sync(integration)
    assert execution.counters["pages"] == 3 and execution.counters["listed"] == 10
    integration.refresh_from_db()
    assert integration.sync_token


def test_rate_limits_back_off_and_resume_and_nothing_is_synced_twice(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    make_appointments(pro_a, 12)
    google.fail_batch_parts(429, "rateLimitExceeded", 3)
    google.fail_batch_parts(403, "rateLimitExceeded", 2)
    google.fail_next(429, "rateLimitExceeded", retry_after="0")  # on the list that follows the push

    execution = run_sync(integration)

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.counters["created"] == 12
    assert len(google.live_events(pro_a.email)) == 12
    batches = [r for r in google.seen if r.path == "/batch/calendar/v3"]
    assert len(batches) == 2  # the 5 limited calls went again in a second batch, the 7 others did not
    assert CalendarSyncLog.objects.filter(status=LogStatus.SUCCESS, action="create").count() == 12


def test_a_failure_on_one_appointment_is_logged_and_the_run_goes_on(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    make_appointments(pro_a, 5)
    google.fail_batch_parts(400, "invalid", 1)

    execution = run_sync(integration)

    assert execution.status == ExecutionStatus.PARTIAL
    assert execution.counters["created"] == 4 and execution.counters["push_errors"] == 1
    failed = CalendarSyncLog.objects.get(status=LogStatus.ERROR)
    assert "HTTP 400" in failed.error_message and failed.appointment is not None
    failed.appointment.refresh_from_db()
    assert failed.appointment.changed_locally  # still pending: the next run sends it

    retry = run_sync(integration)
    assert retry.counters["created"] == 1 and len(google.live_events(pro_a.email)) == 5
