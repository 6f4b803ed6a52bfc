"""End to end with real processes: the ASGI web server and a `celery worker`, the fake Google on the wire.
An appointment created over HTTP reaches Google through the worker after commit; an event moved in Google
comes back when Google's push notification reaches the web process."""

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from calendar_sync.models import Appointment
from orchestration.models import Execution
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.harness.asgi_server import AsgiServer
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, wait_until


@pytest.fixture
def stack_env(subprocess_env: dict[str, str], google_server, settings) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    settings.GOOGLE_CALENDAR_WEBHOOK_URL = "https://orquestra.example.com/api/v1/google-calendar/notifications"
    names = (
        "GOOGLE_CALENDAR_CLIENT_ID",
        "GOOGLE_CALENDAR_CLIENT_SECRET",
        "GOOGLE_OAUTH_TOKEN_URL",
        "GOOGLE_OAUTH_REVOKE_URL",
        "GOOGLE_OAUTH_AUTH_URL",
        "GOOGLE_CALENDAR_API_URL",
        "GOOGLE_CALENDAR_WEBHOOK_URL",
    )
    env = {
        **subprocess_env,
        **{name: str(getattr(settings, name)) for name in names},
        "GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE": "0",
    }
    if os.environ.get("REDIS_URL"):
        env = redis_broker_env(env)
        redis_broker_purge(env["CELERY_BROKER_URL"])
    yield env


def test_an_appointment_goes_to_google_through_the_worker_and_a_google_change_comes_back_by_push(
    stack_env: dict[str, str],
    google: GoogleCalendarFake,
    connect,
    pro_a,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    integration = connect(pro_a)
    headers = {"Authorization": f"Token {Token.objects.create(user=pro_a).key}"}
    start = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    body = {"client_name": "Ana", "service": "Consulta", "start": start.isoformat(), "duration_minutes": 60}

    with CeleryProcesses(stack_env, tmp_path / "logs") as celery, AsgiServer(stack_env, tmp_path / "logs") as web:
        celery.worker()
        created = httpx.post(web.url("/api/v1/appointments/"), json=body, headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        appointment_id = created.json()["id"]
        wait_until(
            lambda: Appointment.objects.filter(pk=appointment_id).exclude(google_event_id="").first(),
            timeout=60,
            what="the push",
        )
        appointment = Appointment.objects.get(pk=appointment_id)
        assert google.events[pro_a.email][appointment.google_event_id]["summary"] == "[Agendamento] Consulta - Ana"

        # The first full sync opens the watch channel; then the user moves the event in Google.
        manual = httpx.post(web.url("/api/v1/google-calendar/sync/manual"), headers=headers, timeout=10)
        assert manual.status_code == 202, manual.text
        wait_until(
            lambda: Execution.objects.get(pk=manual.json()["execution_id"]).is_finished or None,
            timeout=60,
            what="the manual sync",
        )
        integration.refresh_from_db()
        assert integration.channel_id in google.channels
        moved = start + timedelta(hours=3)
        google.google_edit(pro_a.email, appointment.google_event_id, start=moved, end=moved + timedelta(minutes=60))
        notified = httpx.post(
            web.url("/api/v1/google-calendar/notifications"),
            headers=google.notification_headers(integration.channel_id),
            timeout=10,
        )
        assert notified.status_code == 202, notified.text
        wait_until(
            lambda: Appointment.objects.filter(pk=appointment_id, start=moved).first(),
            timeout=60,
            what="the change from Google",
        )

    appointment.refresh_from_db()
    assert not appointment.changed_locally  # applied from Google, so nothing goes back
