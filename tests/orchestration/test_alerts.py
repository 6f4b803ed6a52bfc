"""alert_raise / alert_resolve and the grouping into notifications: one message per person for a burst,
one recovery, nothing for a re-raise or a flap, and preferences respected."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from orchestration.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Notification,
    NotificationCategory,
    NotificationPreference,
    Role,
    Severity,
)
from orchestration.services.alerts import alert_raise, alert_resolve
from orchestration.services.notifications import notifications_process
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 16, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=300)


@pytest.fixture
def receiver() -> Iterator[FakeServer]:
    def handle(request: FakeRequest) -> FakeResponse:
        return FakeResponse(200, b"ok")

    with FakeServer(handle) as server:
        yield server


def raise_auth(account: str, *, at: datetime = T0, severity: str = Severity.CRITICAL) -> Alert | None:
    return alert_raise(
        fingerprint=f"kommo:auth:{account}",
        group="kommo:auth",
        severity=severity,
        kind=AlertKind.REAUTHORIZATION,
        title=f"Kommo: a conta {account} precisa de nova autorização",
        group_title="Kommo: %(count)d contas precisam de nova autorização",
        now=at,
    )


def test_120_alerts_of_one_group_reach_each_recipient_as_one_message_and_one_recovery(
    make_user, receiver: FakeServer
) -> None:  # type: ignore[no-untyped-def]
    first = make_user(Role.ADMINISTRATOR)
    second = make_user(Role.ADMINISTRATOR)
    NotificationPreference.objects.create(user=second, email_enabled=False, webhook_url=f"{receiver.url}/hook/s3cr3t")
    NotificationPreference.objects.create(
        user=first, min_severity=Severity.CRITICAL, notify_approvals=False, webhook_url=""
    )
    for number in range(120):
        raise_auth(f"acme-{number}", at=T0 + timedelta(seconds=number))

    assert notifications_process(now=T0 + timedelta(seconds=60)).created == 0  # the window is still open
    totals = notifications_process(now=T0 + WINDOW)

    assert totals.created == 2 and totals.sent == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [first.email]
    assert mail.outbox[0].subject == "[Orquestra] Kommo: 120 contas precisam de nova autorização"
    assert "acme-119 precisa" in mail.outbox[0].body
    text = receiver.requests[0].json()["text"]
    assert len(receiver.requests) == 1 and text.startswith("*Kommo: 120 contas precisam de nova autorização*")
    assert Notification.objects.get(recipient=first).alerts.count() == 120

    for number in range(120):
        alert_resolve(fingerprint=f"kommo:auth:acme-{number}", now=T0 + WINDOW + timedelta(seconds=number))
    notifications_process(now=T0 + WINDOW + timedelta(seconds=60))
    assert len(mail.outbox) == 1
    notifications_process(now=T0 + 2 * WINDOW)

    assert len(mail.outbox) == 2 and mail.outbox[1].subject == "[Orquestra] kommo:auth: 120 alertas resolvidos"
    assert len(receiver.requests) == 2
    assert Notification.objects.filter(category=NotificationCategory.RECOVERY).count() == 2
    notifications_process(now=T0 + 3 * WINDOW)
    assert len(mail.outbox) == 2 and len(receiver.requests) == 2


def test_raising_an_open_alert_again_only_counts_it(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_auth("acme")
    notifications_process(now=T0 + WINDOW)
    assert len(mail.outbox) == 1

    again = raise_auth("acme", at=T0 + WINDOW + timedelta(seconds=10))
    notifications_process(now=T0 + 3 * WINDOW)

    assert again is not None and again.occurrences == 2 and again.last_seen_at == T0 + WINDOW + timedelta(seconds=10)
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1


def test_a_flap_inside_the_window_sends_nothing_extra(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_auth("acme")
    notifications_process(now=T0 + WINDOW)
    assert len(mail.outbox) == 1

    at = T0 + WINDOW
    for flip in range(5):
        alert_resolve(fingerprint="kommo:auth:acme", now=at + timedelta(seconds=20 * flip))
        notifications_process(now=at + timedelta(seconds=20 * flip + 5))
        raise_auth("acme", at=at + timedelta(seconds=20 * flip + 10))
        notifications_process(now=at + timedelta(seconds=20 * flip + 15))

    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN and alert.occurrences == 6
    assert len(mail.outbox) == 1

    alert_resolve(fingerprint="kommo:auth:acme", now=at + timedelta(seconds=200))
    notifications_process(now=at + timedelta(seconds=200) + WINDOW)
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.endswith("Resolvido: " + alert.title)


def test_an_alert_resolved_before_anyone_heard_of_it_sends_nothing(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_auth("acme")
    alert_resolve(fingerprint="kommo:auth:acme", now=T0 + timedelta(seconds=30))
    notifications_process(now=T0 + 3 * WINDOW)
    assert mail.outbox == []


def test_a_new_failure_after_the_recovery_is_a_new_alert(admin_user) -> None:  # type: ignore[no-untyped-def]
    raise_auth("acme")
    notifications_process(now=T0 + WINDOW)
    alert_resolve(fingerprint="kommo:auth:acme", now=T0 + WINDOW)
    notifications_process(now=T0 + 2 * WINDOW)
    raise_auth("acme", at=T0 + 2 * WINDOW + timedelta(seconds=1))
    notifications_process(now=T0 + 4 * WINDOW)

    assert Alert.objects.count() == 2
    assert [m.subject.startswith("[Orquestra] Resolvido") for m in mail.outbox] == [False, True, False]


def test_severity_threshold_and_kinds_are_respected(make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMINISTRATOR)  # default: CRITICAL failures and re-authorizations
    approver = make_user(Role.APPROVER)  # default: pending approvals
    no_reauth = make_user(Role.ADMINISTRATOR)
    NotificationPreference.objects.create(
        user=no_reauth, min_severity=Severity.INFO, notify_reauthorization=False, notify_approvals=False
    )
    raise_auth("warn", severity=Severity.WARNING)
    alert_raise(
        fingerprint="invoice:approval:7",
        group="invoice:approval",
        severity=Severity.INFO,
        kind=AlertKind.PENDING_APPROVAL,
        title="Fatura 7 aguarda aprovação",
        now=T0,
    )
    alert_raise(fingerprint="x:failed", group="x", severity=Severity.WARNING, title="X falhou", now=T0)

    notifications_process(now=T0 + WINDOW)

    received = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert received == sorted(
        [
            (approver.email, "[Orquestra] Fatura 7 aguarda aprovação"),
            (no_reauth.email, "[Orquestra] X falhou"),
        ]
    )
    assert not Notification.objects.filter(recipient=admin).exists()


def test_the_owner_gets_what_concerns_their_object(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user(Role.OPERATOR)
    other = make_user(Role.OPERATOR)
    alert_raise(
        fingerprint="calendar:auth:1",
        group="calendar:auth",
        severity=Severity.WARNING,
        kind=AlertKind.REAUTHORIZATION,
        title="Google Agenda precisa de nova autorização",
        subject=owner,
        owner=owner,
        now=T0,
    )
    notifications_process(now=T0 + WINDOW)

    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert Alert.objects.get().subject == owner and other.notifications.count() == 0


def test_channel_choice_is_respected(make_user, receiver: FakeServer) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.ADMINISTRATOR)
    NotificationPreference.objects.create(
        user=user, email_enabled=False, webhook_url="", min_severity=Severity.INFO, owned_only=False
    )
    raise_auth("acme")
    notifications_process(now=T0 + WINDOW)
    assert mail.outbox == [] and receiver.requests == [] and Notification.objects.count() == 0


def test_alerting_never_fails_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("orchestration.services.alerts._raise", broken)
    monkeypatch.setattr(Alert.objects, "filter", broken)
    assert raise_auth("acme") is None
    assert alert_resolve(fingerprint="kommo:auth:acme") is None


def test_an_approval_that_ends_sends_no_recovery(approver_user) -> None:  # type: ignore[no-untyped-def]
    alert_raise(
        fingerprint="invoice:approval:7",
        group="invoice:approval",
        severity=Severity.INFO,
        kind=AlertKind.PENDING_APPROVAL,
        title="Fatura 7 aguarda aprovação",
        now=T0,
    )
    notifications_process(now=T0 + WINDOW)
    alert_resolve(fingerprint="invoice:approval:7", now=T0 + WINDOW)
    notifications_process(now=T0 + 3 * WINDOW)

    assert [m.to for m in mail.outbox] == [[approver_user.email]]
    assert Alert.objects.get().recovery_notified_at is not None
