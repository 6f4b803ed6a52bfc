"""`sync_calendars`, the shipped schedules (4 h, 15 min, 02:00, and the demo's), the periodic fan-out, the
daily token cleanup, and `load_demo`'s real runs against the demo simulator."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from calendar_sync.demo import DEMO_PROFESSIONAL, calendar_demo_history
from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.schedules import DEMO_SCHEDULE_NAME
from calendar_sync.sync import SYNC_ALL_KIND, SYNC_KIND, TOKEN_CLEANUP_KIND, calendar_run
from orchestration.models import Execution, ExecutionStatus
from orchestration.registries.demo import DemoContext
from tests.calendar_sync.helpers import run_execution
from tests.fakes.google_calendar import DEMO_EMAIL, demo_fake
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db


def test_sync_calendars_runs_in_the_foreground_for_one_user_or_all(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    connect(pro_a)
    make_appointments(pro_a, 4)
    out = StringIO()

    call_command("sync_calendars", "--user", pro_a.email.upper(), "--full", stdout=out)

    assert f"{pro_a.email}: Concluída" in out.getvalue() and "created=4" in out.getvalue()
    execution = Execution.objects.get(kind=SYNC_KIND)
    assert execution.parameters["mode"] == "full" and execution.status == ExecutionStatus.SUCCEEDED
    assert len(google.live_events(pro_a.email)) == 4
    with pytest.raises(CommandError, match="Nenhuma integração ativa"):
        call_command("sync_calendars", "--user", "ninguem@example.com", stdout=StringIO())


def test_setup_schedules_ships_the_three_periodic_tasks_and_the_demo_one_only_with_simulators(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_SIMULATORS = True
    settings.GOOGLE_CALENDAR_CLIENT_ID = ""
    call_command("setup_schedules", stdout=StringIO())

    every_4h = PeriodicTask.objects.get(name="calendar_sync.sync_all_integrations")
    assert (every_4h.crontab.minute, every_4h.crontab.hour) == ("0", "*/4")
    assert PeriodicTask.objects.get(name="calendar_sync.sync_recent_changes").interval.every == 900
    cleanup = PeriodicTask.objects.get(name="calendar_sync.cleanup_expired_tokens")
    assert (cleanup.crontab.minute, cleanup.crontab.hour) == ("0", "2")
    assert PeriodicTask.objects.filter(name=DEMO_SCHEDULE_NAME).exists()

    settings.DEMO_SIMULATORS = False
    call_command("setup_schedules", stdout=StringIO())
    assert not PeriodicTask.objects.filter(name=DEMO_SCHEDULE_NAME).exists()


def test_the_periodic_run_fans_out_one_child_per_active_integration(
    google, connect, pro_a, pro_b, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    connect(pro_a)
    off = connect(pro_b)
    off.is_active = False
    off.save()

    with django_capture_on_commit_callbacks() as callbacks:
        parent = calendar_run(kind=SYNC_ALL_KIND, parameters={"mode": "all"})

    children = list(parent.children.all())
    assert [child.parameters["integration_id"] for child in children] == [pro_a.google_calendar_integration.pk]
    assert children[0].kind == SYNC_KIND and children[0].lock_key.startswith("calendar:integration:")
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the parent closes after its last child's commit
        finished = run_execution(children[0])
    assert finished.status == ExecutionStatus.SUCCEEDED
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.SUCCEEDED


def test_the_daily_cleanup_erases_dead_tokens_and_renews_expired_ones(google, connect, pro_a, pro_b) -> None:  # type: ignore[no-untyped-def]
    live = connect(pro_a)
    dead = connect(pro_b)
    GoogleCalendarIntegration.objects.filter(pk=dead.pk).update(is_active=False)
    GoogleCalendarIntegration.objects.filter(pk=live.pk).update(token_expires_at=timezone.now() - timedelta(hours=1))

    execution = calendar_run(kind=TOKEN_CLEANUP_KIND)

    assert execution.counters == {"erased": 1, "renewed": 1, "revoked": 0}
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.refresh_token == "" and live.token_expires_at > timezone.now()


def test_load_demo_connects_a_demo_professional_to_the_simulator_with_real_runs(settings) -> None:  # type: ignore[no-untyped-def]
    fake = demo_fake()
    with FakeServer(fake.handle) as server:
        settings.DEMO_SIMULATORS = True
        settings.GOOGLE_CALENDAR_CLIENT_ID = ""
        settings.SIMULATOR_HOST = "127.0.0.1"
        settings.GOOGLE_CALENDAR_SIMULATOR_PORT = server.httpd.server_address[1]
        settings.GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE = 0

        line = calendar_demo_history(DemoContext(users={}))
        assert DEMO_PROFESSIONAL in line
        assert calendar_demo_history(DemoContext(users={})) == ""  # written once
        execution = Execution.objects.get(kind=SYNC_KIND)
        assert execution.status == ExecutionStatus.QUEUED
        finished = run_execution(execution)

    assert finished.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL), finished.error
    assert len(fake.live_events(DEMO_EMAIL)) == Appointment.objects.count() == 20


def test_no_demo_without_simulators(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_SIMULATORS = False
    settings.GOOGLE_CALENDAR_CLIENT_ID = ""
    assert calendar_demo_history(DemoContext(users={})) == ""
    assert not Appointment.objects.exists()
