"""The API and the admin: appointments CRUD (sync queued after commit, never in the request), the integration
endpoints, metrics, push notifications, and tenant isolation (company A never sees company B)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calendar_sync.models import Appointment, CalendarSyncLog, GoogleCalendarIntegration
from orchestration.models import Execution, ExecutionStatus, Role
from tests.calendar_sync.conftest import person
from tests.calendar_sync.helpers import run_execution, run_sync

pytestmark = pytest.mark.django_db
BASE = "/api/v1/google-calendar"
APPOINTMENTS = "/api/v1/appointments/"


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def appointment_body(**fields: object) -> dict[str, object]:
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return {
        "client_name": "Ana",
        "client_phone": "(11) 90000-0000",
        "service": "Consulta",
        "start": start.isoformat(),
        "duration_minutes": 60,
        **fields,
    }


def test_creating_an_appointment_queues_its_sync_only_after_commit_and_the_worker_pushes_it(
    google, connect, pro_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    connect(pro_a)
    before = len(google.seen)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(pro_a).post(APPOINTMENTS, appointment_body(), format="json")
        assert len(google.seen) == before  # nothing reaches Google inside the request

    assert response.status_code == 201, response.content
    assert response.json()["professional"] == pro_a.pk and response.json()["sync_pending"] is True
    assert len(callbacks) == 1
    execution = Execution.objects.get(kind="CALENDAR_APPOINTMENT_SYNC")
    assert execution.status == ExecutionStatus.QUEUED
    run_execution(execution)
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.google_event_id in google.events[pro_a.email]

    changed = client_for(pro_a).patch(f"{APPOINTMENTS}{appointment.pk}/", {"status": "cancelled"}, format="json")
    assert changed.status_code == 200
    run_execution(Execution.objects.filter(kind="CALENDAR_APPOINTMENT_SYNC").first())
    assert google.events[pro_a.email][appointment.google_event_id]["status"] == "cancelled"


def test_filters_by_professional_status_and_date_range(pro_a, company_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    colleague = person(company_a, "bia@salao-a.com")
    first = timezone.now().replace(microsecond=0) + timedelta(days=1)
    make_appointments(pro_a, 3, start=first)
    make_appointments(colleague, 2, start=first, status="confirmed")
    api = client_for(pro_a)

    assert len(api.get(APPOINTMENTS, {"professional": colleague.pk}).json()["results"]) == 2
    assert len(api.get(APPOINTMENTS, {"status": "confirmed"}).json()["results"]) == 2
    window = {
        "start_after": (first + timedelta(minutes=30)).isoformat(),
        "start_before": (first + timedelta(hours=2, minutes=30)).isoformat(),
    }
    assert len(api.get(APPOINTMENTS, window).json()["results"]) == 3  # 1 h and 2 h of hers, 1 h of her colleague
    assert api.get(APPOINTMENTS, {"start_after": "2026-13-01"}).status_code == 400


def test_a_user_of_company_a_never_sees_company_b_by_api_or_admin(
    pro_a, pro_b, make_appointments, client, admin_user
) -> None:  # type: ignore[no-untyped-def]
    (theirs,) = make_appointments(pro_b, 1)
    make_appointments(pro_a, 2)
    CalendarSyncLog.objects.create(
        company=pro_b.company, user=pro_b, sync_direction="to_google", action="create", status="success"
    )
    api = client_for(pro_a)

    listed = api.get(APPOINTMENTS).json()["results"]
    assert {row["professional"] for row in listed} == {pro_a.pk}
    assert api.get(f"{APPOINTMENTS}{theirs.pk}/").status_code == 404
    assert api.patch(f"{APPOINTMENTS}{theirs.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert api.delete(f"{APPOINTMENTS}{theirs.pk}/").status_code == 404
    assert api.post(f"{BASE}/sync/appointment/{theirs.pk}").status_code == 404
    stolen = api.post(APPOINTMENTS, appointment_body(professional=pro_b.pk), format="json")
    assert stolen.status_code == 400 and "outra empresa" in str(stolen.json())
    assert api.get(f"{BASE}/sync-logs").json() == []
    assert api.get(f"{BASE}/metrics").json()["integrations"] == 0

    client.force_login(pro_a)
    page = client.get("/admin/calendar_sync/appointment/")
    assert page.status_code == 200
    assert "Cliente 0" in page.content.decode() and theirs.client_name in page.content.decode()  # same names...
    assert len(page.context["cl"].result_list) == 2  # ...but only company A's rows
    assert client.get(f"/admin/calendar_sync/appointment/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/calendar_sync/calendarsynclog/").context["cl"].result_count == 0

    client.force_login(admin_user)
    assert len(client.get("/admin/calendar_sync/appointment/").context["cl"].result_list) == 3
    assert len(client_for(admin_user).get(APPOINTMENTS).json()["results"]) == 3


def test_a_professional_manages_only_their_own_integration(connect, pro_a, company_a, client) -> None:  # type: ignore[no-untyped-def]
    integration = connect(pro_a)
    colleague = person(company_a, "bia@salao-a.com")
    api = client_for(colleague)
    assert api.get(f"{BASE}/integration").status_code == 404
    assert api.delete(f"{BASE}/integration").status_code == 404
    assert api.get(f"{BASE}/status").json()["connected"] is False
    client.force_login(colleague)
    assert client.get("/admin/calendar_sync/googlecalendarintegration/").context["cl"].result_count == 0
    assert client.get(f"/admin/calendar_sync/googlecalendarintegration/{integration.pk}/change/").status_code == 302


def test_integration_endpoints(google, connect, pro_a, make_appointments) -> None:  # type: ignore[no-untyped-def]
    connect(pro_a)
    make_appointments(pro_a, 2)
    api = client_for(pro_a)

    detail = api.get(f"{BASE}/integration").json()
    assert {c["summary"] for c in detail["calendars"]} == {pro_a.email, "Atendimentos"}
    assert detail["sync_past_days"] == 7 and detail["sync_future_days"] == 30
    assert detail["event_prefix"] == "[Agendamento]" and detail["reminder_minutes"] == [15, 60]
    assert detail["conflict_resolution"] == "manual" and detail["timezone"] == "America/Sao_Paulo"

    other = next(c for c in detail["calendars"] if not c["primary"])
    changed = api.put(
        f"{BASE}/integration/sync-settings",
        {"calendar_id": other["id"], "event_prefix": "[Salão]", "conflict_resolution": "google_wins"},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["calendar_name"] == "Atendimentos"
    bad = api.put(f"{BASE}/integration/sync-settings", {"calendar_id": "nope", "timezone": "Mars/Base"}, format="json")
    assert bad.status_code == 400 and "timezone" in bad.json()["error"]["details"]

    assert api.put(f"{BASE}/integration/toggle", {}, format="json").json()["is_active"] is False
    assert api.post(f"{BASE}/sync/manual").status_code == 404  # off: asked to turn it on first
    assert api.put(f"{BASE}/integration/toggle", {"is_active": True}, format="json").json()["is_active"] is True

    manual = api.post(f"{BASE}/sync/manual")
    assert manual.status_code == 202 and manual.json()["execution_url"].endswith(f"/{manual.json()['execution_id']}/")
    run_execution(Execution.objects.get(pk=manual.json()["execution_id"]))
    assert {e["summary"][:7] for e in google.live_events(other["id"])} == {"[Salão]"}

    one = Appointment.objects.first()
    assert api.post(f"{BASE}/sync/appointment/{one.pk}").status_code == 202
    logs = api.get(f"{BASE}/sync-logs", {"status": "success"}).json()
    assert len(logs) == 2 and {row["action"] for row in logs} == {"create"}
    metrics = api.get(f"{BASE}/metrics").json()
    assert metrics["active_integrations"] == 1 and metrics["success_rate"] == 1.0
    assert metrics["last_sync"][0]["email"] == pro_a.email and metrics["last_sync"][0]["last_sync_at"]


def test_push_notifications_are_verified_and_start_an_incremental_sync(
    google, connect, pro_a, settings, client
) -> None:  # type: ignore[no-untyped-def]
    settings.GOOGLE_CALENDAR_WEBHOOK_URL = "https://orquestra.example.com/api/v1/google-calendar/notifications"
    integration = connect(pro_a)
    run_sync(integration)
    integration.refresh_from_db()
    assert integration.channel_id in google.channels
    assert google.channels[integration.channel_id]["address"] == settings.GOOGLE_CALENDAR_WEBHOOK_URL
    url = f"{BASE}/notifications"

    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in google.notification_headers(integration.channel_id).items()
    }
    assert client.post(url, **{**headers, "HTTP_X_GOOG_RESOURCE_STATE": "sync"}).status_code == 204
    assert client.post(url, **{**headers, "HTTP_X_GOOG_CHANNEL_TOKEN": "forged"}).status_code == 404
    queued = Execution.objects.filter(kind="CALENDAR_SYNC").count()
    assert client.post(url, **headers).status_code == 202
    assert Execution.objects.filter(kind="CALENDAR_SYNC", trigger="WEBHOOK").count() == 1
    assert Execution.objects.filter(kind="CALENDAR_SYNC").count() == queued + 1

    # Renewed a day before it expires: a new channel, the old one stopped.
    old = integration.channel_id
    GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
        channel_expires_at=timezone.now() + timedelta(hours=3)
    )
    run_sync(GoogleCalendarIntegration.objects.get(pk=integration.pk))
    integration.refresh_from_db()
    assert integration.channel_id != old and old not in google.channels and integration.channel_id in google.channels


def test_operator_role_has_the_appointment_permissions(make_user) -> None:  # type: ignore[no-untyped-def]
    operator = make_user(Role.OPERATOR)
    assert operator.has_perm("calendar_sync.add_appointment") and operator.has_perm("calendar_sync.sync_appointment")


def test_the_admin_adds_appointments_through_the_service_and_shows_the_metrics(
    google, connect, pro_a, client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    connect(pro_a)
    client.force_login(pro_a)
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    form = {
        "professional": pro_a.pk,
        "service": "Barba",
        "start_0": start.strftime("%d/%m/%Y"),
        "start_1": start.strftime("%H:%M:%S"),
        "duration_minutes": 20,
        "status": "scheduled",
        "client_name": "Rui",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/admin/calendar_sync/appointment/add/", form)

    assert response.status_code == 302, response.content.decode()[-2000:]
    appointment = Appointment.objects.get(client_name="Rui")
    assert appointment.company == pro_a.company and len(callbacks) == 1
    assert Execution.objects.filter(kind="CALENDAR_APPOINTMENT_SYNC", subject_id=str(appointment.pk)).exists()

    page = client.get("/admin/calendar_sync/googlecalendarintegration/")
    assert page.status_code == 200 and "Métricas" in page.content.decode()
    connect_page = client.get("/admin/calendar_sync/googlecalendarintegration/connect/")
    assert connect_page.status_code == 302 and "/o/oauth2/auth?" in connect_page["Location"]
