"""An appointment changed here and in Google since the last sync: each `conflict_resolution` setting, met
from the pull (sync token) and from the push (412 on the etag), and a person's resolution of a manual one."""

from datetime import timedelta

import pytest

from calendar_sync.clients.google_calendar_records import parse_instant
from calendar_sync.models import Appointment, CalendarSyncLog, ConflictResolution, LogStatus
from calendar_sync.services import appointment_update
from tests.calendar_sync.helpers import run_appointment_sync, run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_changed(google, connect, pro_a, make_appointments):  # type: ignore[no-untyped-def]
    """A synced appointment moved by one hour in Google and renamed (service) here, neither side synced."""
    integration = connect(pro_a)
    (appointment,) = make_appointments(pro_a, 1)
    run_sync(integration)
    appointment.refresh_from_db()
    remote_start = appointment.start + timedelta(hours=1)
    google.google_edit(
        pro_a.email, appointment.google_event_id, start=remote_start, end=remote_start + timedelta(minutes=30)
    )
    appointment = appointment_update(
        appointment=appointment, service="Barba", start=appointment.start - timedelta(hours=1)
    )
    return integration, appointment, remote_start


def test_google_wins_takes_the_remote_version_and_logs_it(google, both_changed, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration, appointment, remote_start = both_changed
    integration.conflict_resolution = ConflictResolution.GOOGLE_WINS
    integration.save()

    run_sync(integration)

    appointment.refresh_from_db()
    assert appointment.start == remote_start and not appointment.changed_locally and not appointment.sync_conflict
    log = CalendarSyncLog.objects.filter(error_message__contains="Conflito").get()
    assert (log.sync_direction, log.status) == ("from_google", LogStatus.SUCCESS)
    assert "Google prevaleceu" in log.error_message


def test_local_wins_writes_ours_over_google_with_the_new_etag(google, both_changed, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration, appointment, remote_start = both_changed
    integration.conflict_resolution = ConflictResolution.LOCAL_WINS
    integration.save()

    run_sync(integration)

    appointment.refresh_from_db()
    event = google.events[pro_a.email][appointment.google_event_id]
    assert event["summary"].endswith("Barba - Cliente 0")
    assert parse_instant(event["start"]["dateTime"]) == appointment.start != remote_start
    assert appointment.google_etag == event["etag"] and not appointment.changed_locally
    assert (
        "Orquestra prevaleceu" in CalendarSyncLog.objects.filter(error_message__contains="Conflito").get().error_message
    )


def test_manual_leaves_both_sides_and_shows_the_conflict_until_someone_chooses(google, both_changed, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration, appointment, remote_start = both_changed
    assert integration.conflict_resolution == ConflictResolution.MANUAL
    event_before = dict(google.events[pro_a.email][appointment.google_event_id])

    run_sync(integration)

    appointment.refresh_from_db()
    assert "Alterado nos dois lados" in appointment.sync_conflict
    assert appointment.start != remote_start and appointment.changed_locally
    assert google.events[pro_a.email][appointment.google_event_id]["etag"] == event_before["etag"]
    skipped = CalendarSyncLog.objects.filter(status=LogStatus.SKIPPED)
    assert skipped.exists()
    # Later runs keep their hands off it.
    run_sync(integration)
    assert google.events[pro_a.email][appointment.google_event_id]["etag"] == event_before["etag"]

    run_appointment_sync(appointment, resolve="google")
    appointment.refresh_from_db()
    assert appointment.start == remote_start and not appointment.sync_conflict and not appointment.changed_locally


def test_a_person_choosing_local_pushes_ours(google, both_changed, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration, appointment, _remote_start = both_changed
    run_sync(integration)
    appointment.refresh_from_db()
    assert appointment.sync_conflict

    run_appointment_sync(appointment, resolve="local")

    appointment.refresh_from_db()
    assert not appointment.sync_conflict and not appointment.changed_locally
    assert google.events[pro_a.email][appointment.google_event_id]["summary"].endswith("Barba - Cliente 0")


def test_a_push_that_meets_a_412_settles_the_conflict_instead_of_overwriting(google, both_changed, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration, appointment, remote_start = both_changed
    integration.conflict_resolution = ConflictResolution.GOOGLE_WINS
    integration.save()

    run_appointment_sync(appointment)  # the push goes first here: If-Match carries the old etag

    appointment.refresh_from_db()
    assert appointment.start == remote_start
    assert Appointment.objects.get(pk=appointment.pk).service == "Barba"  # only start/duration come from Google
