"""`load_demo`'s WhatsApp history: sessions on the two simulators and one real check, queued for the worker,
that corrects them against the simulators (whose demo sessions are WORKING/open at start)."""

import socket
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from orchestration.models import Execution, ExecutionStatus
from tests.fakes import evolution, waha
from tests.fakes.server import FakeServer
from whatsapp_health import tasks
from whatsapp_health.checks import CHECK_KIND
from whatsapp_health.models import SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def simulators(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.DEMO_SIMULATORS = True
    settings.SIMULATOR_HOST = "127.0.0.1"
    settings.EVOLUTION_SIMULATOR_PORT, settings.WAHA_SIMULATOR_PORT = _free_port(), _free_port()
    with (
        FakeServer(evolution.demo_handler(), port=settings.EVOLUTION_SIMULATOR_PORT),
        FakeServer(waha.demo_handler(), port=settings.WAHA_SIMULATOR_PORT),
    ):
        yield


def test_load_demo_registers_sessions_on_the_simulators_and_queues_a_real_check(
    simulators, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EVOLUTION_SIMULATOR_PORT", raising=False)
    monkeypatch.delenv("WAHA_SIMULATOR_PORT", raising=False)
    sent: list[dict] = []
    monkeypatch.setattr(tasks.check_sessions, "delay_on_commit", lambda **kwargs: sent.append(kwargs))

    call_command("load_demo", stdout=None)
    call_command("load_demo", stdout=None)  # idempotent

    assert WhatsAppSession.objects.count() == 7
    assert WhatsAppSession.objects.filter(is_default=True).count() == 1
    [queued] = Execution.objects.filter(kind=CHECK_KIND)
    assert queued.status == ExecutionStatus.QUEUED and sent == [
        {"execution_id": queued.pk, "force": False, "cleanup": False}
    ]

    ran = Execution.objects.get(pk=tasks.check_sessions.apply(kwargs=sent[0]).get())

    assert ran.status == ExecutionStatus.SUCCEEDED and ran.counters["checked_ok"] == 7
    assert set(WhatsAppSession.objects.values_list("status", flat=True)) == {SessionStatus.CONNECTED}
