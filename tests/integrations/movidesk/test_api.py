"""The Movidesk API: manual sync (202 at once, 400 for a bad window), tickets with filters, settings."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from integrations.movidesk.configuration import SCHEDULE_PREFIX
from integrations.movidesk.models import MovideskSettings, MovideskTicket
from integrations.movidesk.windows import local_today
from orchestration.models import Execution, ExecutionStatus, Role, Trigger

pytestmark = pytest.mark.django_db
SYNC_URL = "/api/v1/integrations/movidesk/sync"
TICKETS_URL = "/api/v1/integrations/movidesk/tickets"
SETTINGS_URL = "/api/v1/integrations/movidesk/settings"


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_operator_asks_for_a_sync_and_gets_the_execution_at_once(
    operator_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    today = local_today()
    body = {"from": (today - timedelta(days=4)).isoformat(), "to": today.isoformat()}

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(operator_user).post(SYNC_URL, body, format="json", HTTP_USER_AGENT="pytest")

    assert response.status_code == 202, response.content
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert response.json()["execution_url"] == f"/api/v1/executions/{execution.pk}/"
    assert (execution.kind, execution.status, execution.trigger) == (
        "MOVIDESK_SYNC",
        ExecutionStatus.QUEUED,
        Trigger.API,
    )
    assert execution.parameters == body
    assert execution.started_by == operator_user and execution.user_agent == "pytest"
    assert len(callbacks) == 1  # the task is sent only once the execution is committed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"from": "2026-05-01", "to": "2026-05-06"}, "máximo é 5 dias"),
        ({"from": "2026-05-06", "to": "2026-05-01"}, "posterior à final"),
        ({"from": "2999-01-01", "to": "2999-01-02"}, "futuro"),
    ],
)
def test_a_window_the_service_refuses_is_a_400_in_the_one_error_shape(operator_user, body, message) -> None:  # type: ignore[no-untyped-def]
    response = client_for(operator_user).post(SYNC_URL, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and message in error["message"]
    assert not Execution.objects.exists()


def test_a_missing_or_malformed_date_is_a_400(operator_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(operator_user).post(SYNC_URL, {"from": "01/05/2026"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"from", "to"}


def test_anonymous_cannot_sync() -> None:
    assert APIClient().post(SYNC_URL, {}, format="json").status_code in (401, 403)


def _ticket(ticket_id: int, **fields) -> MovideskTicket:  # type: ignore[no-untyped-def]
    now = timezone.now()
    values = {
        "subject": f"Assunto {ticket_id}",
        "status": "Em atendimento",
        "base_status": "InAttendance",
        "owner_team": "Suporte N1",
        "urgency": "Alta",
        "last_update": now,
        "raw": {"id": ticket_id},
        "first_synced_at": now,
        "synced_at": now,
        **fields,
    }
    return MovideskTicket.objects.create(id=ticket_id, **values)


def test_tickets_are_listed_with_filters_and_search(operator_user) -> None:  # type: ignore[no-untyped-def]
    _ticket(1, subject="Erro na integração", last_update=datetime(2026, 5, 1, 12, tzinfo=UTC))
    _ticket(2, base_status="Resolved", owner_team="Financeiro", last_update=datetime(2026, 5, 3, 12, tzinfo=UTC))
    _ticket(3, base_status="Closed", urgency="Baixa", last_update=datetime(2026, 5, 5, 12, tzinfo=UTC))
    client = client_for(operator_user)

    def ids(query: str) -> list[int]:
        response = client.get(f"{TICKETS_URL}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [3, 2, 1]  # most recently updated first
    assert ids("base_status=Resolved&base_status=Closed") == [3, 2]
    assert ids("owner_team=Financeiro") == [2]
    assert ids("urgency=Baixa") == [3]
    assert ids("last_update_after=2026-05-02T00:00:00Z&last_update_before=2026-05-04T00:00:00Z") == [2]
    assert ids("search=integração") == [1]
    assert "raw" not in client.get(TICKETS_URL).json()["results"][0]
    detail = client.get(f"{TICKETS_URL}/1").json()
    assert detail["raw"] == {"id": 1} and detail["base_status_display"] == "Em atendimento"


def test_a_bad_filter_value_is_a_400(operator_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(operator_user).get(f"{TICKETS_URL}?base_status=Whatever")
    assert response.status_code == 400
    assert "base_status" in response.json()["error"]["details"]


def test_settings_never_show_the_token_and_saving_times_rewrites_schedules(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)

    response = client.put(
        SETTINGS_URL, {"token": "segredo-abc-123", "sync_times": ["18:00", "07:15", "07:15"]}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert "token" not in body and "segredo-abc-123" not in response.content.decode()
    assert body["token_stored"] is True and body["token_source"] == "admin"
    assert body["sync_times"] == ["07:15", "18:00"]
    names = set(PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).values_list("name", flat=True))
    assert names == {f"{SCHEDULE_PREFIX}07:15", f"{SCHEDULE_PREFIX}18:00"}

    # Leaving the token out keeps it.
    assert client.put(SETTINGS_URL, {"enabled": False}, format="json").status_code == 200
    assert MovideskSettings.objects.get().token == "segredo-abc-123"
    assert client.get(SETTINGS_URL).json()["enabled"] is False


def test_an_invalid_time_is_a_400_and_changes_nothing(admin_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).put(SETTINGS_URL, {"sync_times": ["08:00", "25:00"]}, format="json")

    assert response.status_code == 400
    assert "25:00" in str(response.json()["error"]["details"]["sync_times"])
    assert not PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.APPROVER])
def test_only_administrators_see_or_change_the_settings(make_user, role) -> None:  # type: ignore[no-untyped-def]
    client = client_for(make_user(role))
    assert client.get(SETTINGS_URL).status_code == 403
    assert client.put(SETTINGS_URL, {"enabled": False}, format="json").status_code == 403


def test_a_sync_needs_the_sync_permission(operator_user) -> None:  # type: ignore[no-untyped-def]
    permission = Permission.objects.get(content_type__app_label="integrations", codename="sync_movideskticket")
    for group in operator_user.groups.all():
        group.permissions.remove(permission)
    user = type(operator_user).objects.get(pk=operator_user.pk)  # fresh: no cached permissions
    today = local_today().isoformat()

    response = client_for(user).post(SYNC_URL, {"from": today, "to": today}, format="json")

    assert response.status_code == 403
    assert not Execution.objects.exists()


# --- Input the outside probe found accepted ------------------------------------------------------------------


@pytest.mark.parametrize("times", [["08:00", "08:\uff10\uff10", "\u0660\u0668:\u0660\u0660"], [], ["08:00"] * 49])
def test_unicode_digits_an_empty_list_or_too_many_times_are_a_400(admin_user, times) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).put(SETTINGS_URL, {"sync_times": times}, format="json")

    assert response.status_code == 400, response.json()
    assert "sync_times" in response.json()["error"]["details"]
    assert not PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).exists()


def test_a_whitespace_only_token_keeps_the_stored_token(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    client.put(SETTINGS_URL, {"token": "token-de-verdade"}, format="json")

    response = client.put(SETTINGS_URL, {"token": "  \t  "}, format="json")

    assert response.status_code == 200 and response.json()["token_stored"] is True
    assert MovideskSettings.objects.get().token == "token-de-verdade"


@pytest.mark.parametrize(
    "body", [{"from": "0001-01-01", "to": "0001-01-03"}, {"from": "1999-12-30", "to": "1999-12-31"}]
)
def test_dates_before_2000_are_a_400_and_never_reach_movidesk(operator_user, body) -> None:  # type: ignore[no-untyped-def]
    response = client_for(operator_user).post(SYNC_URL, body, format="json")

    assert response.status_code == 400
    assert "01/01/2000" in response.json()["error"]["message"]
    assert not Execution.objects.exists()


@pytest.mark.parametrize("name", ["last_update_before", "last_update_after"])
def test_an_offset_beyond_what_the_database_takes_is_a_400_naming_the_parameter(operator_user, name) -> None:  # type: ignore[no-untyped-def]
    response = client_for(operator_user).get(f"{TICKETS_URL}?{name}=2026-01-14T11:26:52%2B16:11")

    assert response.status_code == 400
    assert name in response.json()["error"]["details"]
