"""Delivery of notifications over real HTTP (a local webhook receiver): retries with backoff recorded on the
notification, giving up with the reason, and a receiver that never answers delaying nobody's job."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from orchestration.models import AlertKind, Notification, NotificationPreference, NotificationStatus, Role, Severity
from orchestration.services.alerts import alert_raise
from orchestration.services.notifications import (
    notifications_build,
    notifications_deliver,
    notifications_process,
    notifications_resend,
)
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 16, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=300)


class Receiver:
    """Answers the queued statuses in order, then 200; or sleeps longer than the client waits."""

    def __init__(self, statuses: list[int] | None = None, delay_seconds: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay_seconds = delay_seconds

    def handle(self, request: FakeRequest) -> FakeResponse:
        status = self.statuses.pop(0) if self.statuses else 200
        return FakeResponse(status, b"boom" if status >= 400 else b"ok", delay_seconds=self.delay_seconds)


@pytest.fixture
def webhook_user(make_user):  # type: ignore[no-untyped-def]
    def make(url: str):  # type: ignore[no-untyped-def]
        user = make_user(Role.ADMINISTRATOR)
        NotificationPreference.objects.create(user=user, email_enabled=False, webhook_url=url)
        return user

    return make


def raise_critical(at: datetime = T0) -> None:
    alert_raise(
        fingerprint="movidesk:sync-failed",
        group="movidesk:sync",
        severity=Severity.CRITICAL,
        kind=AlertKind.FAILURE,
        title="Sincronização do Movidesk falhou",
        now=at,
    )


def test_a_receiver_answering_500_twice_then_200_gets_it_once_with_the_attempts_recorded(webhook_user) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver([500, 500])
    with FakeServer(receiver.handle) as server:
        webhook_user(f"{server.url}/services/T000/B000/secret-token")
        raise_critical()

        first = notifications_process(now=T0 + WINDOW)
        notification = Notification.objects.get()
        assert first.retrying == 1 and notification.status == NotificationStatus.PENDING
        assert notification.attempts == 1 and "HTTP 500" in notification.last_error
        assert "secret-token" not in notification.last_error
        assert notification.next_attempt_at == T0 + WINDOW + timedelta(seconds=30)

        assert notifications_deliver(now=T0 + WINDOW + timedelta(seconds=10)).retrying == 0  # not due yet
        notifications_deliver(now=T0 + WINDOW + timedelta(seconds=30))
        notification.refresh_from_db()
        assert notification.attempts == 2 and notification.next_attempt_at == T0 + WINDOW + timedelta(seconds=90)

        assert notifications_deliver(now=T0 + WINDOW + timedelta(seconds=90)).sent == 1
        notifications_deliver(now=T0 + WINDOW + timedelta(seconds=900))

        notification.refresh_from_db()
        assert notification.status == NotificationStatus.SENT and notification.attempts == 3
        assert len(server.requests) == 3
        assert server.requests[-1].json()["text"].startswith("*Sincronização do Movidesk falhou*")


def test_a_delivery_that_keeps_failing_ends_failed_with_the_reason_and_can_be_resent(webhook_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    receiver = Receiver([503, 503])
    with FakeServer(receiver.handle) as server:
        webhook_user(f"{server.url}/hook")
        raise_critical()
        notifications_process(now=T0 + WINDOW)
        totals = notifications_deliver(now=T0 + WINDOW + timedelta(hours=1))

        notification = Notification.objects.get()
        assert totals.failed == 1 and notification.status == NotificationStatus.FAILED
        assert notification.attempts == 2 and "HTTP 503" in notification.last_error

        assert notifications_resend([notification]) == 1
        assert notifications_deliver(now=T0 + WINDOW + timedelta(hours=2)).sent == 1
        assert len(server.requests) == 3


def test_a_receiver_that_never_answers_does_not_delay_the_job(webhook_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver = Receiver(delay_seconds=5)
    with FakeServer(receiver.handle) as server:
        webhook_user(f"{server.url}/hook")
        started = time.monotonic()
        raise_critical()
        assert time.monotonic() - started < 0.2  # raising sends nothing: delivery is the periodic task's

        started = time.monotonic()
        totals = notifications_process(now=T0 + WINDOW)
        assert time.monotonic() - started < 2
        notification = Notification.objects.get()
        assert totals.retrying == 1 and "tempo de resposta esgotado" in notification.last_error


def test_a_second_delivery_run_sends_nothing_again(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_critical()
    notifications_process(now=T0 + WINDOW)
    notifications_process(now=T0 + WINDOW)
    assert len(mail.outbox) == 1


def test_send_test_notification_checks_every_channel(webhook_user, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver()
    with FakeServer(receiver.handle) as server:
        user = webhook_user(f"{server.url}/hook")
        NotificationPreference.objects.filter(user=user).update(email_enabled=True)
        call_command("send_test_notification", "--user", user.email.upper())

    out = capsys.readouterr().out
    assert len(mail.outbox) == 1 and len(server.requests) == 1
    assert out.count("SENT") == 2


def test_a_notification_another_worker_claimed_is_not_sent_again_until_it_is_stuck(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_critical()
    notifications_deliver(now=T0)  # nothing built yet: nothing to send
    notifications_build(now=T0 + WINDOW)
    Notification.objects.update(status=NotificationStatus.SENDING, claimed_at=T0 + WINDOW, attempts=1)

    assert notifications_deliver(now=T0 + WINDOW + timedelta(minutes=5)).sent == 0
    assert mail.outbox == []
    assert notifications_deliver(now=T0 + WINDOW + timedelta(minutes=11)).sent == 1  # its worker died
    assert Notification.objects.get().attempts == 2 and len(mail.outbox) == 1


def test_the_periodic_task_groups_and_sends(admin_user, settings) -> None:  # type: ignore[no-untyped-def]
    from orchestration.tasks import deliver_notifications

    settings.ALERT_GROUP_WINDOW_SECONDS = 0
    raise_critical(at=T0)

    assert deliver_notifications.apply().get() == {"created": 1, "sent": 1, "failed": 0, "retrying": 0}
    assert deliver_notifications.apply().get() == {"created": 0, "sent": 0, "failed": 0, "retrying": 0}
    assert len(mail.outbox) == 1


def test_slow_receivers_leave_the_rest_to_the_next_run(webhook_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS = 0.3
    with FakeServer(Receiver(delay_seconds=5).handle) as server:
        webhook_user(f"{server.url}/one")
        webhook_user(f"{server.url}/two")
        raise_critical()
        notifications_build(now=T0 + WINDOW)

        totals = notifications_deliver(now=T0 + WINDOW, budget_seconds=0.1)

    assert totals.retrying == 1
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [0, 1]
