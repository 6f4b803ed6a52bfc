"""OAuth 2.0 against the fake's endpoints: consent with offline access and PKCE, the callback (API POST and
browser GET), renewal before expiry, a revoked grant (invalid_grant), disconnect, and tokens kept out of logs."""

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.sync import SYNC_RECENT_KIND, calendar_run
from orchestration.models import Alert, AlertKind, Execution, ExecutionLogLine, ExecutionStatus
from tests.calendar_sync.conftest import consent_code
from tests.calendar_sync.helpers import run_execution, run_sync

pytestmark = pytest.mark.django_db
BASE = "/api/v1/google-calendar"


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_connecting_through_the_api_stores_encrypted_tokens_and_the_primary_calendar(
    google, google_server, pro_a
) -> None:  # type: ignore[no-untyped-def]
    google.add_user(pro_a.email)
    google.oauth.default_email = pro_a.email
    api = client_for(pro_a)

    started = api.get(f"{BASE}/auth-url").json()
    query = parse_qs(urlsplit(started["auth_url"]).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"] == [
        "https://www.googleapis.com/auth/calendar.events.owned "
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
    ]
    assert query["code_challenge_method"] == ["S256"]
    code, state = consent_code(started["auth_url"])
    response = api.post(f"{BASE}/oauth-callback", {"code": code, "state": state}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["connected"] is True and "access_token" not in response.json()
    integration = GoogleCalendarIntegration.objects.get(user=pro_a)
    assert (integration.calendar_id, integration.is_active) == (pro_a.email, True)
    assert integration.refresh_token.startswith("1//")
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM calendar_sync_googlecalendarintegration")
        assert cursor.fetchone()[0] != integration.refresh_token  # ciphertext at rest
    assert google.oauth.token_requests[-1]["code_verifier"]  # PKCE verifier kept with the state

    again = api.post(f"{BASE}/oauth-callback", {"code": code, "state": state}, format="json")
    assert again.status_code == 409 and "já foi usada" in again.json()["error"]["message"]
    status = api.get(f"{BASE}/status").json()
    assert status["connected"] and status["is_active"] and status["calendar_id"] == pro_a.email


def test_the_browser_coming_back_from_google_lands_on_the_integration(google, google_server, pro_a, client) -> None:  # type: ignore[no-untyped-def]
    google.add_user(pro_a.email)
    google.oauth.default_email = pro_a.email
    started = client_for(pro_a).get(f"{BASE}/auth-url").json()
    code, state = consent_code(started["auth_url"])

    response = client.get(f"{BASE}/oauth-callback", {"code": code, "state": state})

    integration = GoogleCalendarIntegration.objects.get(user=pro_a)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/googlecalendarintegration/{integration.pk}/change/")
    forged = client.get(f"{BASE}/oauth-callback", {"code": code, "state": state + "x"})
    assert forged.status_code == 409


def test_a_token_about_to_expire_is_renewed_first(google, connect, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    old = integration.access_token
    GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=2)
    )

    run_sync(GoogleCalendarIntegration.objects.get(pk=integration.pk))

    assert google.oauth.token_requests[-1]["grant_type"] == "refresh_token"
    integration.refresh_from_db()
    assert integration.access_token != old and integration.token_expires_at > timezone.now() + timedelta(minutes=50)


def test_a_revoked_grant_turns_the_integration_off_with_its_reason_and_one_alert(google, connect, pro_a) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    google.oauth.revoke_grant(pro_a.email)
    GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(token_expires_at=timezone.now())

    execution = run_sync(GoogleCalendarIntegration.objects.get(pk=integration.pk))

    assert execution.status == ExecutionStatus.FAILED and execution.attempt == 1  # never retried
    integration.refresh_from_db()
    assert not integration.is_active and "conecte a agenda novamente" in integration.disabled_reason
    alert = Alert.objects.get(kind=AlertKind.REAUTHORIZATION)
    assert alert.owner == pro_a and alert.fingerprint == f"calendar:auth:{pro_a.pk}"

    refreshes = len(google.oauth.token_requests)
    calendar_run(kind=SYNC_RECENT_KIND)  # the next periodic run leaves it alone: no loop
    assert len(google.oauth.token_requests) == refreshes
    assert Alert.objects.get(kind=AlertKind.REAUTHORIZATION).occurrences == 1
    status = client_for(pro_a).get(f"{BASE}/status").json()
    assert status["is_active"] is False and "recusou a autorização" in status["disabled_reason"]


def test_disconnect_removes_the_events_we_created_and_revokes_the_grant(
    google, connect, pro_a, make_appointments
) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    make_appointments(pro_a, 3)
    run_sync(integration)
    foreign = google.google_create(pro_a.email, "Dentista", timezone.now() + timedelta(days=2))

    response = client_for(pro_a).delete(f"{BASE}/integration")

    assert response.status_code == 202, response.content
    run_execution(Execution.objects.get(pk=response.json()["execution_id"]))
    assert [e["id"] for e in google.live_events(pro_a.email)] == [foreign["id"]]
    assert google.oauth.grant_for(pro_a.email).revoked
    integration.refresh_from_db()
    assert not integration.refresh_token and not integration.is_active
    assert not Appointment.objects.exclude(google_event_id="").exists()
    assert client_for(pro_a).get(f"{BASE}/status").json()["connected"] is False


def test_tokens_and_the_client_secret_never_reach_a_log_line(google, connect, pro_a, make_appointments, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    integration = connect(pro_a)
    make_appointments(pro_a, 2)
    google.oauth.expire_access_tokens()  # a 401 and a refresh on the way
    run_sync(integration)
    integration.refresh_from_db()

    text = caplog.text + "\n".join(ExecutionLogLine.objects.values_list("message", flat=True))
    assert "renovando o token" in text
    grant = google.oauth.grant_for(pro_a.email)
    for secret in (
        integration.access_token,
        integration.refresh_token,
        google.oauth.client_secret,
        *grant.access_tokens,
    ):
        assert secret not in text
