"""The Movidesk sync's alert, through the real sync against the Movidesk fake: a failed run (after the
task's retries) raises `movidesk:sync-failed`, a retried attempt raises nothing, the next success resolves
it and its recovery reaches the same people once."""

import types
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from integrations.movidesk.sync import ALERT_FINGERPRINT, movidesk_sync_run
from integrations.movidesk.windows import window_validate
from orchestration.models import Alert, AlertStatus, ExecutionStatus, Severity
from orchestration.services.notifications import notifications_process
from tests.fakes.movidesk import MovideskFake
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 5, 16, 12, 0, tzinfo=SP)
WINDOW = timedelta(seconds=300)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client's jittered backoff sleeps for real; these tests are about what happens after the retries.
    monkeypatch.setattr("orchestration.outbound.client.random", types.SimpleNamespace(uniform=lambda a, b: 0.0))


def local(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=SP)


def test_a_failed_sync_raises_the_alert_and_the_next_success_resolves_it(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer, admin_user
) -> None:  # type: ignore[no-untyped-def]
    movidesk_fake.generate(150, start=local(12), end=local(13))
    movidesk_fake.malformed_page = 1

    failed = movidesk_sync_run(window=window_validate("2026-05-12", "2026-05-13"))

    assert failed.status == ExecutionStatus.FAILED
    alert = Alert.objects.get(fingerprint=ALERT_FINGERPRINT)
    assert alert.status == AlertStatus.OPEN and alert.severity == Severity.CRITICAL
    assert alert.execution == failed and "página 1" in alert.details
    notifications_process(now=timezone.now() + WINDOW)
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert "Sincronização do Movidesk falhou" in mail.outbox[0].subject

    movidesk_fake.malformed_page = movidesk_fake.list_responses + 1  # the Nth list response of the fake
    again = movidesk_sync_run(window=window_validate("2026-05-12", "2026-05-13"))  # fails again: counted
    assert again.status == ExecutionStatus.FAILED
    assert Alert.objects.get().occurrences == 2

    movidesk_fake.malformed_page = None
    succeeded = movidesk_sync_run(window=window_validate("2026-05-12", "2026-05-13"))

    assert succeeded.status == ExecutionStatus.SUCCEEDED
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by is None
    notifications_process(now=timezone.now() + 2 * WINDOW)
    assert len(mail.outbox) == 2 and "Resolvido: Sincronização do Movidesk falhou" in mail.outbox[1].subject


def test_only_the_final_failure_of_the_task_raises_the_alert(
    movidesk_fake: MovideskFake, movidesk_server: FakeServer
) -> None:
    from integrations.movidesk.tasks import movidesk_sync_scheduled

    movidesk_fake.generate(30, start=local(15), end=local(16, 9))
    movidesk_fake.fail_next(503, times=5)  # the first attempt's five requests: the task retries once

    retried = movidesk_sync_scheduled.apply()

    assert retried.get() and Alert.objects.count() == 0  # the retry then succeeded: nothing was ever open

    movidesk_fake.failures_to_block = 1000  # keep answering 503, not the fake's 429 block
    movidesk_fake.fail_next(503, times=15)  # three attempts of five requests each
    result = movidesk_sync_scheduled.apply()

    alert = Alert.objects.get()
    assert alert.execution_id == result.get() and alert.execution.status == ExecutionStatus.FAILED
    assert alert.execution.attempt == 3 and alert.occurrences == 1
