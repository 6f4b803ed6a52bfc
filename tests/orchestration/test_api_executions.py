"""The execution ledger on the API: list with filters, detail, log lines and cancel."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger, User
from orchestration.services.executions import (
    execution_create,
    execution_fail,
    execution_log,
    execution_start,
    execution_succeed,
)

pytestmark = pytest.mark.django_db

EXECUTIONS = "/api/v1/executions/"


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _execution(
    kind: str = "TEST", trigger: str = Trigger.SCHEDULE, status: str = "", created_at: datetime | None = None
) -> Execution:
    execution = execution_create(kind=kind, trigger=trigger, parameters={"account": 7})
    if status == ExecutionStatus.RUNNING:
        execution_start(execution=execution)
    elif status == ExecutionStatus.SUCCEEDED:
        execution_succeed(execution=execution_start(execution=execution))
    elif status == ExecutionStatus.FAILED:
        execution_fail(execution=execution_start(execution=execution), error="falhou")
    if created_at is not None:
        Execution.objects.filter(pk=execution.pk).update(created_at=created_at)
    return execution


def _ids(response: object) -> list[int]:
    return [row["id"] for row in response.json()["results"]]  # type: ignore[attr-defined]


def test_any_signed_in_role_lists_executions_newest_first_with_pagination(operator_user: User) -> None:
    first, second = _execution(), _execution()

    response = _client(operator_user).get(EXECUTIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert _ids(response) == [second.pk, first.pk]
    row = body["results"][0]
    assert row["status"] == ExecutionStatus.QUEUED and row["status_display"] == "Na fila"
    assert row["trigger"] == Trigger.SCHEDULE and "parameters" not in row


def test_anonymous_gets_401_in_the_error_shape() -> None:
    response = APIClient().get(EXECUTIONS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_filters_by_kind_status_trigger_and_dates(approver_user: User) -> None:
    now = timezone.now()
    old_sync = _execution("MOVIDESK_SYNC", status=ExecutionStatus.SUCCEEDED, created_at=now - timedelta(days=10))
    new_sync = _execution("MOVIDESK_SYNC", trigger=Trigger.MANUAL, status=ExecutionStatus.FAILED)
    running = _execution("KOMMO_SYNC", status=ExecutionStatus.RUNNING)
    client = _client(approver_user)

    assert _ids(client.get(EXECUTIONS, {"kind": "MOVIDESK_SYNC"})) == [new_sync.pk, old_sync.pk]
    assert _ids(client.get(f"{EXECUTIONS}?status=FAILED&status=RUNNING")) == [running.pk, new_sync.pk]
    assert _ids(client.get(EXECUTIONS, {"trigger": "MANUAL"})) == [new_sync.pk]
    since = (now - timedelta(days=1)).isoformat()
    assert _ids(client.get(EXECUTIONS, {"created_after": since, "kind": "MOVIDESK_SYNC"})) == [new_sync.pk]
    assert _ids(client.get(EXECUTIONS, {"created_before": since})) == [old_sync.pk]
    day = timezone.localdate(now - timedelta(days=10)).isoformat()
    assert _ids(client.get(EXECUTIONS, {"created_on": day})) == [old_sync.pk]
    assert _ids(client.get(EXECUTIONS, {"ordering": "created_at"}))[0] == old_sync.pk


def test_detail_has_parameters_and_the_links_to_its_lines_and_live_stream(operator_user: User) -> None:
    execution = _execution(status=ExecutionStatus.RUNNING)

    response = _client(operator_user).get(f"{EXECUTIONS}{execution.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["parameters"] == {"account": 7}
    assert body["stream_url"].endswith(f"/api/v1/executions/{execution.pk}/stream")
    assert body["lines_url"].endswith(f"/api/v1/executions/{execution.pk}/lines/")
    assert body["live_page_url"].endswith(f"/admin/orchestration/execution/{execution.pk}/live/")


def test_lines_come_in_order_paginated_and_resume_after_an_id(operator_user: User) -> None:
    execution = _execution(status=ExecutionStatus.RUNNING)
    lines = [execution_log(execution=execution, message=f"linha {n}") for n in range(5)]
    execution_log(execution=execution, message="problema", level=LogLevel.ERROR)
    client = _client(operator_user)
    url = f"{EXECUTIONS}{execution.pk}/lines/"

    page = client.get(url, {"page_size": 2}).json()
    assert page["count"] == 6
    assert [row["message"] for row in page["results"]] == ["linha 0", "linha 1"]
    assert page["next"]

    after = client.get(url, {"after": lines[2].id}).json()
    assert [row["message"] for row in after["results"]] == ["linha 3", "linha 4", "problema"]
    errors = client.get(url, {"level": "ERROR"}).json()
    assert [row["message"] for row in errors["results"]] == ["problema"]


def test_an_operator_cancels_a_running_execution(operator_user: User) -> None:
    execution = _execution(status=ExecutionStatus.RUNNING)

    response = _client(operator_user).post(f"{EXECUTIONS}{execution.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == ExecutionStatus.CANCELLED
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.CANCELLED
    assert operator_user.name in execution.log_lines.last().message


def test_cancelling_a_finished_execution_is_a_409_conflict(operator_user: User) -> None:
    execution = _execution(status=ExecutionStatus.SUCCEEDED)

    response = _client(operator_user).post(f"{EXECUTIONS}{execution.pk}/cancel/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED


def test_the_ledger_cannot_be_written_through_the_api(admin_user: User) -> None:
    execution = _execution()
    client = _client(admin_user)
    assert client.post(EXECUTIONS, {"kind": "X"}, format="json").status_code == 405
    assert client.delete(f"{EXECUTIONS}{execution.pk}/").status_code == 405


def test_the_openapi_schema_and_swagger_ui_describe_the_ledger(operator_user: User) -> None:
    client = _client(operator_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/executions/",
        "/api/v1/executions/{id}/",
        "/api/v1/executions/{id}/cancel/",
        "/api/v1/executions/{id}/lines/",
        "/api/v1/users/",
        "/api/v1/auth/token/",
    ):
        assert path in paths
    parameters = {parameter["name"] for parameter in paths["/api/v1/executions/"]["get"]["parameters"]}
    assert {"kind", "status", "trigger", "created_after", "created_before", "page"} <= parameters
    assert "409" in paths["/api/v1/executions/{id}/cancel/"]["post"]["responses"]
    assert client.get("/api/docs/").status_code == 200


def test_the_browsable_api_renders_the_list_with_its_filters(operator_user: User) -> None:
    _execution(status=ExecutionStatus.RUNNING)
    client = APIClient()
    client.force_login(operator_user)
    page = client.get(EXECUTIONS, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "created_after" in page.content.decode()


def test_kinds_come_with_their_label_from_the_registry_and_unknown_ones_as_they_are(operator_user: User) -> None:
    known = _execution(kind="MOVIDESK_SYNC")
    unknown = _execution(kind="REMOVED_JOB")
    client = _client(operator_user)

    listed = {row["id"]: row["kind_display"] for row in client.get(EXECUTIONS).json()["results"]}
    admin_page = Client()
    admin_page.force_login(operator_user)
    page = admin_page.get("/admin/orchestration/execution/").content.decode()

    assert listed[known.pk] == "Sincronização de tickets do Movidesk"
    assert listed[unknown.pk] == "REMOVED_JOB"
    assert "Sincronização de tickets do Movidesk" in page
    assert client.get(f"{EXECUTIONS}{known.pk}/").json()["kind_display"] == "Sincronização de tickets do Movidesk"


def test_an_execution_names_its_subject_and_the_list_filters_by_it(operator_user: User, approver_user: User) -> None:
    about_operator = execution_create(kind="TEST", subject=operator_user)
    execution_create(kind="TEST", subject=approver_user)
    execution_create(kind="TEST")
    client = _client(operator_user)

    found = client.get(EXECUTIONS, {"subject_type": "orchestration.user", "subject_id": str(operator_user.pk)})

    assert _ids(found) == [about_operator.pk]
    row = found.json()["results"][0]
    assert (row["subject_type"], row["subject_id"]) == ("orchestration.user", str(operator_user.pk))
    assert len(_ids(client.get(EXECUTIONS, {"subject_type": "orchestration.user"}))) == 2
    assert client.get(EXECUTIONS, {"subject_type": "nothing.here"}).json()["count"] == 0
