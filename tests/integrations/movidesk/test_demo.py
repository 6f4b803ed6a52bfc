"""The demo schedule of `make run`: frequent syncs against the local simulator, never against a tenant."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from integrations.movidesk.demo import DEMO_SCHEDULE_NAME, DEMO_TASK
from integrations.movidesk.models import MovideskTicket
from integrations.movidesk.sync import movidesk_sync_demo_run
from orchestration.models import ExecutionStatus
from tests.fakes.movidesk import MovideskFake
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db


def setup_schedules() -> None:
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_setup_schedules_adds_the_demo_schedule_only_while_simulators_are_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_SIMULATORS = True
    setup_schedules()
    demo = PeriodicTask.objects.get(name=DEMO_SCHEDULE_NAME)
    assert demo.task == DEMO_TASK and demo.enabled
    assert demo.interval.every == 120

    settings.DEMO_SIMULATORS = False
    setup_schedules()
    assert not PeriodicTask.objects.filter(name=DEMO_SCHEDULE_NAME).exists()


def test_a_demo_run_syncs_from_the_simulator_when_no_token_is_configured(settings) -> None:  # type: ignore[no-untyped-def]
    fake = MovideskFake(token=None)
    now = timezone.now()
    fake.generate(30, start=now - timedelta(days=1), end=now)
    with FakeServer(fake.handle) as server:
        settings.DEMO_SIMULATORS = True
        settings.SIMULATOR_HOST = "127.0.0.1"
        settings.MOVIDESK_SIMULATOR_PORT = server.httpd.server_address[1]
        settings.MOVIDESK_TOKEN = ""
        settings.MOVIDESK_RATE_LIMIT_PER_MINUTE = 0

        execution = movidesk_sync_demo_run()

    assert execution is not None and execution.status == ExecutionStatus.SUCCEEDED
    assert MovideskTicket.objects.count() == 30
    assert execution.counters["new"] == 30


def test_a_demo_run_does_nothing_once_a_real_token_is_configured(settings) -> None:  # type: ignore[no-untyped-def]
    fake = MovideskFake(token=None)
    with FakeServer(fake.handle) as server:
        settings.DEMO_SIMULATORS = True
        settings.MOVIDESK_SIMULATOR_PORT = server.httpd.server_address[1]
        settings.MOVIDESK_BASE_URL = f"{server.url}/public/v1"
        settings.MOVIDESK_TOKEN = "token-de-um-cliente-real"

        assert movidesk_sync_demo_run() is None

    assert server.requests == []
