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


# --- Input that broke the server in the outside probe --------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/users/", "/api/v1/executions/1/cancel/"])
def test_deeply_nested_json_is_a_400_even_unauthenticated(admin_user: User, path: str) -> None:
    body = "[" * 3000 + "]" * 3000
    anonymous = Client().post(path, body, content_type="application/json")
    signed_in = _client(admin_user).post(path, body, content_type="application/json")

    if path == "/api/v1/auth/token/":
        _error(anonymous, 400, "parse_error")
    else:
        assert anonymous.status_code == 401
    assert signed_in.status_code in (400, 404), signed_in.content
    if signed_in.status_code == 400:
        _error(signed_in, 400, "parse_error")


@pytest.mark.parametrize("offset", ["+16:11", "-16:00", "+23:59"])
def test_an_instant_with_an_offset_the_database_refuses_is_a_400_naming_the_parameter(
    operator_user: User, offset: str
) -> None:
    for name in ("created_before", "created_after"):
        response = _client(operator_user).get(
            f"/api/v1/executions/?{name}=2026-01-14T11:26:52{offset.replace('+', '%2B')}"
        )
        assert name in _error(response, 400, "invalid")["details"]


def test_an_instant_in_year_one_is_a_400_and_a_real_offset_is_taken_as_utc(
    operator_user: User, execution: Execution
) -> None:
    client = _client(operator_user)
    assert (
        "created_after"
        in _error(client.get("/api/v1/executions/?created_after=0001-01-01T00:00:00%2B01:00"), 400)["details"]
    )
    # +14:00 is a real time zone (Kiribati): accepted, and compared as the same instant in UTC.
    found = client.get("/api/v1/executions/?created_after=2000-01-01T00:00:00%2B14:00")
    assert found.status_code == 200 and found.json()["count"] == 1


def test_a_body_over_the_upload_limit_is_a_json_413(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"email": "a@example.com", "password": "' + "x" * 5000 + '"}'

    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")

    _error(response, 413, "request_too_large")


def test_a_csrf_failure_on_the_api_is_json(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post("/api/v1/executions/1/cancel/", "{}", content_type="application/json")

    _error(response, 403)
