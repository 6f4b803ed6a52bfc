"""Bad input gets a 4xx in the one error shape {"error": {"code", "message", "details"}}, never a 500."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orchestration.models import Execution, Trigger, User
from orchestration.services.executions import execution_create

pytestmark = pytest.mark.django_db


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _error(response: object, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def execution() -> Execution:
    return execution_create(kind="TEST", trigger=Trigger.MANUAL)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("created_after=ontem", "created_after"),
        ("created_before=2024-13-45T99:00", "created_before"),
        ("created_on=2024-02-30", "created_on"),
        ("status=DONE", "status"),
        ("trigger=CRON", "trigger"),
        ("started_by=alguém", "started_by"),
        ("started_by=99999999999999999999", "started_by"),  # past the id column: no driver overflow
        ("ordering=-password", "ordering"),
    ],
)
def test_malformed_filters_are_a_400_naming_the_field(operator_user: User, query: str, field: str) -> None:
    error = _error(_client(operator_user).get(f"/api/v1/executions/?{query}"), 400, "invalid")
    assert field in error["details"]


def test_a_page_past_the_end_is_a_404(operator_user: User, execution: Execution) -> None:
    _error(_client(operator_user).get("/api/v1/executions/?page=99"), 404, "not_found")
    _error(_client(operator_user).get("/api/v1/executions/?page=abc"), 404, "not_found")


def test_malformed_line_filters_are_a_400(operator_user: User, execution: Execution) -> None:
    error = _error(_client(operator_user).get(f"/api/v1/executions/{execution.pk}/lines/?after=x"), 400, "invalid")
    assert "after" in error["details"]


@pytest.mark.parametrize("suffix", ["", "lines/"])
def test_an_unknown_execution_is_a_404(operator_user: User, suffix: str) -> None:
    _error(_client(operator_user).get(f"/api/v1/executions/999999/{suffix}"), 404, "not_found")
    _error(_client(operator_user).get(f"/api/v1/executions/abc/{suffix}"), 404, "not_found")


def test_cancelling_an_unknown_execution_is_a_404(operator_user: User) -> None:
    _error(_client(operator_user).post("/api/v1/executions/999999/cancel/"), 404, "not_found")


def test_an_unknown_api_path_is_a_json_404(operator_user: User) -> None:
    _error(_client(operator_user).get("/api/v1/nada-aqui/"), 404, "not_found")


def test_a_wrong_content_type_is_a_415(admin_user: User) -> None:
    client = _client(admin_user)
    users = client.post("/api/v1/users/", "email=x@example.com", content_type="text/plain")
    _error(users, 415, "unsupported_media_type")
    token = APIClient().post("/api/v1/auth/token/", "<login/>", content_type="application/xml")
    _error(token, 415, "unsupported_media_type")


def test_malformed_json_is_a_400(admin_user: User) -> None:
    _error(_client(admin_user).post("/api/v1/users/", "{oops", content_type="application/json"), 400, "parse_error")


def test_a_missing_login_field_is_a_400_naming_it() -> None:
    error = _error(APIClient().post("/api/v1/auth/token/", {"email": "x@example.com"}, format="json"), 400)
    assert "password" in error["details"]


def test_a_method_the_resource_lacks_is_a_405(operator_user: User, execution: Execution) -> None:
    _error(_client(operator_user).put(f"/api/v1/executions/{execution.pk}/", {}, format="json"), 405)


# --- The SSE endpoint (an async Django view, outside DRF) answers in the same shape -------------------


def test_the_stream_without_credentials_is_a_401(execution: Execution) -> None:
    response = Client().get(f"/api/v1/executions/{execution.pk}/stream")
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_the_stream_with_an_unknown_token_is_a_401(execution: Execution) -> None:
    response = Client().get(f"/api/v1/executions/{execution.pk}/stream", HTTP_AUTHORIZATION="Token nope")
    _error(response, 401, "authentication_failed")


def test_the_stream_of_an_unknown_execution_is_a_404(operator_user: User) -> None:
    token = Token.objects.create(user=operator_user)
    response = Client().get("/api/v1/executions/999999/stream", HTTP_AUTHORIZATION=f"Token {token.key}")
    _error(response, 404, "not_found")


def test_a_malformed_last_event_id_is_a_400(operator_user: User, execution: Execution) -> None:
    client = Client()
    client.force_login(operator_user)
    response = client.get(f"/api/v1/executions/{execution.pk}/stream", HTTP_LAST_EVENT_ID="abc")
    _error(response, 400, "invalid")


def test_posting_to_the_stream_is_a_405(operator_user: User, execution: Execution) -> None:
    client = Client()
    client.force_login(operator_user)
    response = client.post(f"/api/v1/executions/{execution.pk}/stream")
    _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
