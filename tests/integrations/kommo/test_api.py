"""The Kommo API: accounts with write-only tokens and one active master, the sync request, the status with
success rates, the OAuth connect flow, and the webhook's authentication and replay protection."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from integrations.kommo.models import AccountRole, AuthState, KommoAccount
from orchestration.models import Execution, ExecutionStatus, Trigger, User
from tests.fakes.kommo import CLIENT_SECRET, KommoFake
from tests.integrations.kommo.jwt import salesbot_jwt

pytestmark = pytest.mark.services
BASE = "/api/v1/integrations/kommo"


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_accounts_crud_keeps_tokens_write_only_and_one_active_master(admin_user: User, operator_user: User) -> None:
    api = client_for(admin_user)
    created = api.post(
        f"{BASE}/accounts/",
        {"subdomain": "https://Matriz.kommo.com/", "name": "Matriz", "role": "MASTER", "long_lived_token": "llt-1"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["subdomain"] == "matriz" and body["credentials"] == "long_lived"
    assert "llt-1" not in created.content.decode() and "long_lived_token" not in body
    assert KommoAccount.objects.get(subdomain="matriz").long_lived_token == "llt-1"

    second = api.post(f"{BASE}/accounts/", {"subdomain": "outra", "name": "Outra", "role": "MASTER"}, format="json")
    assert second.status_code == 400 and "Já existe uma conta mestre ativa (matriz)" in second.content.decode()

    edited = api.patch(f"{BASE}/accounts/{body['id']}/", {"name": "Matriz SP", "long_lived_token": ""}, format="json")
    assert edited.status_code == 200 and KommoAccount.objects.get(pk=body["id"]).long_lived_token == "llt-1"
    KommoAccount.objects.filter(pk=body["id"]).update(auth_state=AuthState.NEEDS_REAUTHORIZATION, auth_error="x")
    renewed = api.patch(f"{BASE}/accounts/{body['id']}/", {"long_lived_token": "llt-2"}, format="json")
    assert renewed.status_code == 200 and renewed.json()["auth_state"] == "OK"
    assert client_for(operator_user).get(f"{BASE}/accounts/").status_code == 200
    assert client_for(operator_user).post(f"{BASE}/accounts/", {}, format="json").status_code == 403


def test_sync_request_is_202_with_the_execution_and_bad_input_is_a_clear_400(
    operator_user: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    KommoAccount.objects.create(subdomain="matriz", name="M", role=AccountRole.MASTER, long_lived_token="x")
    KommoAccount.objects.create(subdomain="loja-1", name="L1", long_lived_token="x")
    api = client_for(operator_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            f"{BASE}/sync", {"sync_type": "pipelines", "dry_run": True, "accounts": ["loja-1"]}, format="json"
        )
    assert response.status_code == 202, response.content
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert (execution.kind, execution.status, execution.trigger) == ("KOMMO_SYNC", ExecutionStatus.QUEUED, Trigger.API)
    assert execution.parameters == {"sync_type": "pipelines", "dry_run": True, "accounts": ["loja-1"], "prune": False}
    assert len(callbacks) == 1

    unknown = api.post(f"{BASE}/sync", {"accounts": ["loja-9", "matriz"]}, format="json")
    assert unknown.status_code == 400 and "loja-9, matriz" in unknown.json()["error"]["message"]
    bad_type = api.post(f"{BASE}/sync", {"sync_type": "tudo"}, format="json")
    assert bad_type.status_code == 400
    nothing = api.post(f"{BASE}/sync", {"failed_only": True}, format="json")
    assert nothing.status_code == 409


def test_webhook_needs_the_secret_or_a_salesbot_jwt_and_a_replay_starts_nothing(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KOMMO_WEBHOOK_SECRET = "s3gredo-do-webhook"
    settings.KOMMO_CLIENT_SECRET = CLIENT_SECRET
    settings.KOMMO_BASE_URL = "https://{subdomain}.kommo.com"
    KommoAccount.objects.create(subdomain="matriz", name="M", role=AccountRole.MASTER, long_lived_token="x")
    api = client_for(None)
    url = f"{BASE}/webhook"

    assert api.post(url, {}, format="json").status_code == 403
    assert api.post(url, {}, format="json", HTTP_X_ORQUESTRA_SECRET="errado").status_code == 403
    forged = salesbot_jwt("outro-segredo")
    assert api.post(url, {"token": forged}, format="json").status_code == 403
    expired = salesbot_jwt(CLIENT_SECRET, exp=1)
    assert api.post(url, {"token": expired}, format="json").status_code == 403

    with django_capture_on_commit_callbacks() as callbacks:
        first = api.post(url, {}, format="json", HTTP_X_ORQUESTRA_SECRET="s3gredo-do-webhook")
    assert first.status_code == 200 and first.json()["started"] is True and len(callbacks) == 1
    again = api.post(
        f"{url}?secret=s3gredo-do-webhook", "leads[status][0][id]=1", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200 and again.json() == {"execution_id": first.json()["execution_id"], "started": False}

    return_url = "https://matriz.kommo.com/api/v4/salesbot/12/continue/34"
    with django_capture_on_commit_callbacks() as callbacks:
        bot = api.post(url, {"token": salesbot_jwt(CLIENT_SECRET), "data": {}, "return_url": return_url}, format="json")
    assert bot.status_code == 200 and bot.json()["started"] is False
    assert len(callbacks) == 1  # the bot is continued through return_url by a worker
    evil = {"token": salesbot_jwt(CLIENT_SECRET), "return_url": "https://evil.example/api/v4/salesbot/1/continue/2"}
    with django_capture_on_commit_callbacks() as callbacks:
        assert api.post(url, evil, format="json").status_code == 200
    assert callbacks == []  # never called back outside our accounts
    assert Execution.objects.filter(kind="KOMMO_SYNC", trigger=Trigger.WEBHOOK).count() == 1


@pytest.mark.django_db(transaction=True)
def test_oauth_connect_stores_the_tokens_of_the_account_named_by_referer(kommo: KommoFake, admin_user: User) -> None:
    account = KommoAccount.objects.create(
        subdomain="nova", name="Nova", auth_state=AuthState.NEEDS_REAUTHORIZATION, auth_error="revogado"
    )
    kommo.account("nova")
    consent = client_for(admin_user).get(f"{BASE}/oauth/authorize", {"subdomain": "nova"})
    assert consent.status_code == 200
    query = parse_qs(urlsplit(consent.json()["authorization_url"]).query)
    assert query["client_id"] == ["fake-client-id"] and query["mode"] == ["post_message"]
    code = kommo.issue_code("nova")

    wrong = client_for(None).get(
        f"{BASE}/oauth/callback", {"code": code, "state": query["state"][0], "referer": "outra.kommo.com"}
    )
    assert wrong.status_code == 400 and "foi pedida para nova" in wrong.json()["error"]["message"]
    done = client_for(None).get(
        f"{BASE}/oauth/callback", {"code": code, "state": query["state"][0], "referer": "nova.kommo.com"}
    )

    assert done.status_code == 200, done.content
    account.refresh_from_db()
    assert account.auth_state == AuthState.OK and account.access_token in kommo.accounts["nova"].access_tokens
    assert account.refresh_token in kommo.accounts["nova"].refresh_tokens
    assert "access_token" not in done.json()
    forged = client_for(None).get(
        f"{BASE}/oauth/callback", {"code": "x", "state": "forjado", "referer": "nova.kommo.com"}
    )
    assert forged.status_code == 400


def test_the_consent_url_needs_a_known_subdomain(admin_user: User) -> None:
    client = client_for(admin_user)

    missing = client.get(f"{BASE}/oauth/authorize")
    unknown = client.get(f"{BASE}/oauth/authorize", {"subdomain": "ninguem"})

    assert missing.status_code == 400
    assert "subdomain" in missing.json()["error"]["details"]
    assert unknown.status_code == 404
