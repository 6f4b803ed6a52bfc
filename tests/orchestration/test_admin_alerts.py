"""Alerts, notifications and preferences in the admin: filters, the resolve and resend actions, and the
preferences inline on the user page (the webhook URL never rendered back)."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from orchestration.models import (
    Alert,
    AlertStatus,
    Channel,
    Notification,
    NotificationCategory,
    NotificationPreference,
    NotificationStatus,
    User,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 16, 12, 0, tzinfo=UTC)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_operator_resolves_alerts_from_the_list(operator_user: User) -> None:
    alert = Alert.objects.create(
        fingerprint="f", group="kommo:auth", title="Conta X", first_seen_at=T0, last_seen_at=T0
    )
    client = logged_in(operator_user)

    page = client.get("/admin/orchestration/alert/", {"status__exact": "OPEN", "group": "kommo:auth"})
    done = client.post(
        "/admin/orchestration/alert/", {"action": "resolve_selected", "_selected_action": [alert.pk]}, follow=True
    )

    assert page.status_code == 200 and "Conta X" in page.content.decode()
    assert done.status_code == 200
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by == operator_user


def test_failed_notifications_are_visible_and_resent(admin_user: User) -> None:
    notification = Notification.objects.create(
        recipient=admin_user,
        channel=Channel.WEBHOOK,
        category=NotificationCategory.FAILURE,
        subject="Falhou",
        body="x",
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="webhook: POST https://hooks.example.com/*** teve erro no servidor (HTTP 500)",
    )
    client = logged_in(admin_user)

    page = client.get(f"/admin/orchestration/notification/{notification.pk}/change/")
    client.post(
        "/admin/orchestration/notification/", {"action": "resend_selected", "_selected_action": [notification.pk]}
    )

    assert "HTTP 500" in page.content.decode()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING and notification.attempts == 0


def test_preferences_are_edited_on_the_user_page(admin_user: User, operator_user: User) -> None:
    client = logged_in(admin_user)
    url = f"/admin/orchestration/user/{operator_user.pk}/change/"
    form = {
        "email": operator_user.email,
        "name": operator_user.name,
        "phone": "",
        "role": operator_user.role,
        "is_active": "on",
        "is_staff": "on",
        "notification_preference-TOTAL_FORMS": "1",
        "notification_preference-INITIAL_FORMS": "0",
        "notification_preference-MIN_NUM_FORMS": "0",
        "notification_preference-MAX_NUM_FORMS": "1",
        "notification_preference-0-email_enabled": "on",
        "notification_preference-0-webhook_url": "https://hooks.slack.com/services/T/B/very-secret",
        "notification_preference-0-min_severity": "CRITICAL",
        "notification_preference-0-notify_failures": "on",
        "notification_preference-0-user": str(operator_user.pk),
    }

    saved = client.post(url, form)
    page = client.get(url)

    assert saved.status_code == 302, saved.content.decode()[:3000]
    stored = NotificationPreference.objects.get(user=operator_user)
    assert stored.webhook_url.endswith("very-secret") and stored.min_severity == "CRITICAL"
    assert stored.notify_approvals is False
    assert "very-secret" not in page.content.decode()
