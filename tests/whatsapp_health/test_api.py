"""The API: the source's endpoints with its `Authorization: Bearer` lines unchanged (and DRF's `Token`),
sessions CRUD with write-only secrets, filters and company scoping."""

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orchestration.models import Company, Execution, ExecutionStatus, Role, Trigger
from whatsapp_health import tasks
from whatsapp_health.checks import CHECK_KIND
from whatsapp_health.housekeeping import CLEANUP_KIND, CONVERSATIONS_KIND
from whatsapp_health.models import SessionStatus, WhatsAppSession

pytestmark = pytest.mark.django_db
BASE = "/api/v1/whatsapp"


def _client(user: Any, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """What the views handed to the broker: (task name, kwargs)."""
    messages: list[tuple[str, dict]] = []
    for task in (tasks.check_sessions, tasks.cleanup_sessions, tasks.close_inactive_conversations):
        monkeypatch.setattr(task, "delay_on_commit", lambda _t=task, **kwargs: messages.append((_t.name, kwargs)))
    return messages


def test_the_source_curl_lines_work_with_bearer_and_token(make_session, operator_user) -> None:  # type: ignore[no-untyped-def]
    session = make_session("abc123", state="open", status=SessionStatus.DISCONNECTED, is_default=True)

    for keyword in ("Bearer", "Token"):
        response = _client(operator_user, keyword).get(f"{BASE}/status")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["connected"] is True and body["timestamp"].endswith("Z")
        assert (body["session"], body["status"], body["stored_status"]) == (session.pk, "CONNECTED", "DISCONNECTED")
    assert APIClient().get(f"{BASE}/status").status_code == 401
    assert APIClient().post(f"{BASE}/sync-status", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_status_of_a_session_that_does_not_answer_is_not_connected(make_session, evolution, operator_user) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja")
    evolution.instances["loja"].fault = "500"

    body = _client(operator_user).get(f"{BASE}/status", {"session": session.pk}).json()

    assert body["connected"] is False and body["status"] is None and "HTTP 500" in body["error"]
    assert _client(operator_user).get(f"{BASE}/status", {"session": 999}).status_code == 404


def test_without_a_default_session_status_says_how_to_choose_one(make_session, operator_user) -> None:  # type: ignore[no-untyped-def]
    make_session("loja")

    response = _client(operator_user).get(f"{BASE}/status")

    assert response.status_code == 404
    assert "?session=ID" in response.json()["error"]["message"]


def test_sync_status_and_force_sync_current_correct_the_session_now(make_session, operator_user) -> None:  # type: ignore[no-untyped-def]
    session = make_session("abc123", state="open", status=SessionStatus.DISCONNECTED, is_default=True)
    other = make_session("suporte", state="connecting", status=SessionStatus.CONNECTED)
    client = _client(operator_user)

    synced = client.post(f"{BASE}/sync-status").json()
    forced = client.post(f"{BASE}/force-sync-current?session={other.pk}").json()

    assert synced["outcome"] == "changed" and synced["session"]["status"] == SessionStatus.CONNECTED
    assert "api_key" not in synced["session"] and synced["session"]["has_api_key"] is True
    assert forced["outcome"] == "changed" and forced["session"]["status"] == SessionStatus.CONNECTING
    execution = Execution.objects.get(pk=synced["execution_id"])
    assert (execution.trigger, execution.started_by, execution.subject) == (Trigger.API, operator_user, session)
    assert execution.status == ExecutionStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("path", "kind", "task", "options"),
    [
        ("sync-all-sessions", CHECK_KIND, tasks.check_sessions, {"force": False, "cleanup": False}),
        ("force-sync", CHECK_KIND, tasks.check_sessions, {"force": True, "cleanup": True}),
        ("cleanup-sessions", CLEANUP_KIND, tasks.cleanup_sessions, {}),
        ("check-inactive-conversations", CONVERSATIONS_KIND, tasks.close_inactive_conversations, {}),
    ],
)
def test_the_maintenance_endpoints_queue_a_run_that_the_worker_executes(
    path: str, kind: str, task: Any, options: dict, make_session, operator_user, sent
) -> None:  # type: ignore[no-untyped-def]
    make_session("abc123", state="open", status=SessionStatus.DISCONNECTED)

    response = _client(operator_user).post(f"{BASE}/{path}")

    assert response.status_code == 202, response.content
    body = response.json()
    queued = Execution.objects.get(pk=body["execution_id"])
    assert (queued.kind, queued.status, queued.trigger) == (kind, ExecutionStatus.QUEUED, Trigger.API)
    assert body["stream_url"].endswith(f"/{queued.pk}/stream")
    [(name, kwargs)] = sent
    assert (name, kwargs) == (task.name, {"execution_id": queued.pk, **options})

    ran = Execution.objects.get(pk=task.apply(kwargs=kwargs).get())

    assert ran.pk == queued.pk and ran.status == ExecutionStatus.SUCCEEDED
    if kind == CHECK_KIND:
        assert WhatsAppSession.objects.get().status == SessionStatus.CONNECTED


def test_an_approver_may_read_but_not_sync(make_session, approver_user) -> None:  # type: ignore[no-untyped-def]
    make_session("loja", is_default=True)
    client = _client(approver_user)

    assert client.get(f"{BASE}/status").status_code == 200
    assert client.post(f"{BASE}/sync-status").status_code == 403
    assert client.post(f"{BASE}/force-sync").status_code == 403


def test_sessions_crud_keeps_the_api_key_write_only(admin_user, evolution, operator_user) -> None:  # type: ignore[no-untyped-def]
    company = Company.objects.create(name="Loja Exemplo")
    client = _client(admin_user)
    created = client.post(
        f"{BASE}/sessions/",
        {
            "name": "Loja",
            "provider": "EVOLUTION",
            "base_url": evolution.url,
            "api_key": "segredo-123",
            "instance": "loja",
            "phone": "+55 11 90000-0000",
            "company": company.pk,
            "is_default": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "api_key" not in body and body["has_api_key"] is True and body["status"] == SessionStatus.CONNECTING
    session = WhatsAppSession.objects.get(pk=body["id"])
    assert session.api_key == "segredo-123"

    duplicate = client.post(
        f"{BASE}/sessions/",
        {"name": "Outra", "provider": "EVOLUTION", "base_url": evolution.url, "api_key": "x", "instance": "loja"},
        format="json",
    )
    assert duplicate.status_code == 400
    no_key = client.post(
        f"{BASE}/sessions/",
        {"name": "Sem chave", "provider": "WAHA", "base_url": evolution.url, "instance": "x"},
        format="json",
    )
    assert no_key.status_code == 400 and "api_key" in no_key.json()["error"]["details"]

    # A blank key on an update keeps the stored one; a second default replaces the first.
    second = client.post(
        f"{BASE}/sessions/",
        {
            "name": "Suporte",
            "provider": "WAHA",
            "base_url": evolution.url,
            "api_key": "k2",
            "instance": "suporte",
            "company": company.pk,
            "is_default": True,
        },
        format="json",
    ).json()
    patched = client.patch(f"{BASE}/sessions/{session.pk}/", {"api_key": "", "name": "Loja 1"}, format="json")
    assert patched.status_code == 200, patched.content
    session.refresh_from_db()
    assert (session.api_key, session.name, session.is_default) == ("segredo-123", "Loja 1", False)
    assert WhatsAppSession.objects.get(pk=second["id"]).is_default

    assert _client(operator_user).post(f"{BASE}/sessions/", {}, format="json").status_code == 403
    assert client.delete(f"{BASE}/sessions/{session.pk}/").status_code == 204


def test_sessions_filter_by_provider_status_and_company_and_users_see_their_company(make_session, make_user) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = Company.objects.create(name="Minha"), Company.objects.create(name="Outra")
    make_session("a", status=SessionStatus.CONNECTED, company=mine)
    make_session("b", provider="WAHA", status=SessionStatus.DISCONNECTED, company=mine)
    make_session("c", status=SessionStatus.DISCONNECTED, company=theirs)
    operator = make_user(Role.OPERATOR)
    operator.company = mine
    operator.save()
    staff = make_user(Role.OPERATOR)  # no company: the operations team sees every session

    def names(client: APIClient, **query: Any) -> list[str]:
        return sorted(row["instance"] for row in client.get(f"{BASE}/sessions/", query).json()["results"])

    assert names(_client(operator)) == ["a", "b"]
    assert names(_client(staff)) == ["a", "b", "c"]
    assert names(_client(staff), provider="WAHA") == ["b"]
    assert names(_client(staff), status="DISCONNECTED") == ["b", "c"]
    assert names(_client(staff), company=theirs.pk) == ["c"]
    other = WhatsAppSession.objects.get(instance="c")
    assert _client(operator).get(f"{BASE}/sessions/{other.pk}/").status_code == 404


def test_archive_and_restore_are_manual_transitions_and_history_stays(make_session, operator_user) -> None:  # type: ignore[no-untyped-def]
    session = make_session("loja", status=SessionStatus.CONNECTED)
    client = _client(operator_user)

    assert client.post(f"{BASE}/sessions/{session.pk}/archive").json()["status"] == SessionStatus.ARCHIVED
    assert client.post(f"{BASE}/sessions/{session.pk}/archive").status_code == 409
    assert client.post(f"{BASE}/sessions/{session.pk}/restore").json()["status"] == SessionStatus.CONNECTING

    history = client.get(f"{BASE}/sessions/{session.pk}/transitions").json()["results"]
    assert [(row["from_status"], row["to_status"], row["source"]) for row in history] == [
        ("ARCHIVED", "CONNECTING", "MANUAL"),
        ("CONNECTED", "ARCHIVED", "MANUAL"),
    ]


MAINTENANCE = ["sync-all-sessions", "force-sync", "cleanup-sessions", "check-inactive-conversations"]


@pytest.mark.parametrize("path", MAINTENANCE)
def test_options_on_the_maintenance_endpoints_describes_them(path: str, operator_user: Any) -> None:
    # Found by the API fuzzer: a class attribute named `options` once shadowed the OPTIONS handler (a 500).
    response = _client(operator_user).options(f"{BASE}/{path}")

    assert response.status_code == 200
    assert "POST" in response["Allow"]


def test_a_session_never_checked_matches_the_schema(admin_user: Any, evolution: Any) -> None:
    """Regression (API fuzzer): a new session's blank check outcome broke the schema's enum."""
    client = _client(admin_user)
    created = client.post(
        f"{BASE}/sessions/",
        {"name": "Nova", "provider": "EVOLUTION", "base_url": evolution.url, "instance": "nova", "api_key": "k-1"},
        format="json",
    )
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert created.status_code == 201, created.content
    assert created.json()["last_check_outcome"] == ""
    assert created.json()["last_check_ok_at"] is None
    outcome = schema["components"]["schemas"]["WhatsAppSession"]["properties"]["last_check_outcome"]
    allowed = [schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]["enum"] for ref in outcome["oneOf"]]
    assert "" in sum(allowed, [])
