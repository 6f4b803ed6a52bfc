"""Alerts, notifications and notification preferences on the API: filters, resolve, one's own only."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from orchestration.models import (
    Alert,
    AlertStatus,
    Channel,
    Notification,
    NotificationCategory,
    NotificationPreference,
    NotificationStatus,
    Role,
    Severity,
    User,
)
from orchestration.services.alerts import alert_raise

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 16, 12, 0, tzinfo=UTC)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def notification_for(user: User, status: str = NotificationStatus.SENT) -> Notification:
    return Notification.objects.create(
        recipient=user,
        channel=Channel.EMAIL,
        category=NotificationCategory.FAILURE,
        subject="X",
        body="x",
        status=status,
    )


def test_alerts_are_listed_with_filters(operator_user: User) -> None:
    alert_raise(fingerprint="kommo:auth:a", group="kommo:auth", severity=Severity.CRITICAL, title="A", now=T0)
    alert_raise(fingerprint="whatsapp:x", group="whatsapp:disconnected", severity=Severity.WARNING, title="W")
    client = client_for(operator_user)

    everything = client.get("/api/v1/alerts/")
    critical = client.get("/api/v1/alerts/", {"severity": "CRITICAL", "status": "OPEN"})
    grouped = client.get("/api/v1/alerts/", {"group": "whatsapp:disconnected"})
    recent = client.get("/api/v1/alerts/", {"seen_after": "2026-06-01T00:00:00Z"})
    bad = client.get("/api/v1/alerts/", {"severity": "SEVERE"})

    assert everything.status_code == 200 and everything.json()["count"] == 2
    assert [a["fingerprint"] for a in critical.json()["results"]] == ["kommo:auth:a"]
    assert [a["title"] for a in grouped.json()["results"]] == ["W"]
    assert [a["title"] for a in recent.json()["results"]] == ["W"]
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_an_operator_resolves_an_alert_once(operator_user: User) -> None:
    alert = alert_raise(fingerprint="x:failed", group="x", title="X falhou")
    assert alert is not None
    client = client_for(operator_user)

    resolved = client.post(f"/api/v1/alerts/{alert.pk}/resolve/")
    again = client.post(f"/api/v1/alerts/{alert.pk}/resolve/")

    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert body["status"] == AlertStatus.RESOLVED and body["resolved_by"]["id"] == operator_user.pk
    assert body["resolved_automatically"] is False
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_alerts_need_a_login(db: None) -> None:
    assert APIClient().get("/api/v1/alerts/").status_code == 401


def test_one_sees_only_ones_own_notifications(operator_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    other = make_user(Role.OPERATOR)
    mine = notification_for(operator_user)
    theirs = notification_for(other)
    client = client_for(operator_user)

    listed = client.get("/api/v1/notifications/")
    foreign = client.get(f"/api/v1/notifications/{theirs.pk}/")
    foreign_read = client.post(f"/api/v1/notifications/{theirs.pk}/read/")
    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")

    assert [n["id"] for n in listed.json()["results"]] == [mine.pk]
    assert foreign.status_code == 404 and foreign_read.status_code == 404
    assert read.status_code == 200 and read.json()["status"] == NotificationStatus.READ and read.json()["read_at"]
    theirs.refresh_from_db()
    assert theirs.status == NotificationStatus.SENT


def test_a_notification_still_being_sent_cannot_be_marked_read(operator_user: User) -> None:
    pending = notification_for(operator_user, status=NotificationStatus.PENDING)
    response = client_for(operator_user).post(f"/api/v1/notifications/{pending.pk}/read/")
    assert response.status_code == 409


def test_preferences_start_from_the_role_defaults_and_are_saved(approver_user: User) -> None:
    client = client_for(approver_user)
    url = "/api/v1/users/me/notification-preferences/"

    defaults = client.get(url).json()
    saved = client.put(
        url,
        {**defaults, "webhook_url": "https://hooks.slack.com/services/T/B/secret", "min_severity": "CRITICAL"},
        format="json",
    )
    kept = client.put(url, {**defaults, "email_enabled": False}, format="json")
    invalid = client.put(url, {**defaults, "webhook_url": "not a url"}, format="json")

    assert defaults["notify_approvals"] is True and defaults["notify_failures"] is False
    assert defaults["webhook_configured"] is False and "webhook_url" not in defaults
    assert saved.status_code == 200 and saved.json()["webhook_configured"] is True
    assert "secret" not in saved.content.decode()
    assert kept.status_code == 200 and kept.json()["webhook_configured"] is True
    stored = NotificationPreference.objects.get(user=approver_user)
    assert stored.webhook_url.endswith("/secret") and stored.email_enabled is False
    assert stored.min_severity == Severity.INFO  # the last PUT sent the defaults back
    assert invalid.status_code == 400


def test_preferences_are_only_ones_own(operator_user: User, make_user) -> None:  # type: ignore[no-untyped-def]
    other = make_user(Role.OPERATOR)
    client = client_for(operator_user)
    client.put("/api/v1/users/me/notification-preferences/", {"email_enabled": False}, format="json")

    assert client.get(f"/api/v1/users/{other.pk}/").status_code == 403
    assert client.patch(f"/api/v1/users/{other.pk}/", {"name": "x"}, format="json").status_code == 403
    assert not NotificationPreference.objects.filter(user=other).exists()
    assert NotificationPreference.objects.get(user=operator_user).email_enabled is False


def test_resolve_needs_the_resolve_permission(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.OPERATOR)
    user.groups.clear()  # no role permissions at all
    alert = Alert.objects.create(fingerprint="f", group="g", title="t", first_seen_at=T0, last_seen_at=T0)
    response = client_for(User.objects.get(pk=user.pk)).post(f"/api/v1/alerts/{alert.pk}/resolve/")
    assert response.status_code == 403
