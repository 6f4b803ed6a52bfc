"""One replica failing (a revoked grant, a limit) fails alone; `--failed-only` re-runs only it; token
renewal before expiry, once on a 401, and two workers refreshing one account at once burn no grant."""

import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.kommo.models import AccountRole, AuthState, KommoAccount, KommoReplicaReport
from integrations.kommo.tokens import AccountTokens
from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, Role, User
from tests.fakes.kommo import KommoFake
from tests.fakes.kommo_accounts import Fault
from tests.integrations.kommo.conftest import master_configuration, oauth_account

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def sync_kommo(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("sync_kommo", *args, stdout=out, stderr=StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_revoked_grant_fails_that_replica_alone_and_failed_only_reruns_it(kommo: KommoFake) -> None:
    _master, master = oauth_account(kommo, "central", AccountRole.MASTER, expired=True)
    master_configuration(master, pipelines=1, stages=2, fields=2)
    remotes = {name: oauth_account(kommo, name, expired=name != "loja-c")[1] for name in ("loja-a", "loja-b", "loja-c")}
    kommo.revoke(remotes["loja-b"])  # the user disconnected the integration on loja-b
    kommo.expire_access_tokens(remotes["loja-c"])  # valid by our clock, refused by Kommo: 401, renewed once

    code, output = sync_kommo("--type", "full")

    assert code != 0
    parent = Execution.objects.get(kind="KOMMO_SYNC")
    assert parent.status == ExecutionStatus.PARTIAL
    assert "loja-b: Falhou" in output and "loja-a: Concluída" in output
    assert any("Réplica loja-b falhou" in line for line in parent.log_lines.values_list("message", flat=True))
    flagged = KommoAccount.objects.get(subdomain="loja-b")
    assert flagged.auth_state == AuthState.NEEDS_REAUTHORIZATION and "invalid_grant" in flagged.auth_error
    alerts = Alert.objects.filter(group="kommo:auth", status=AlertStatus.OPEN)
    assert [a.fingerprint for a in alerts] == ["kommo:auth:loja-b"]
    assert alerts[0].group_title == "Kommo: %(count)d contas precisam de nova autorização"
    # Expired access tokens were renewed once each, master included; nobody burned a grant.
    assert [master.refreshes, remotes["loja-a"].refreshes, remotes["loja-c"].refreshes] == [1, 1, 1]
    assert remotes["loja-b"].burned_grants == 1 and remotes["loja-a"].summary() == master.summary()

    # Someone authorizes loja-b again (a new pair stored), then only the failed replica runs.
    pair = kommo.issue_tokens(remotes["loja-b"])
    KommoAccount.objects.filter(subdomain="loja-b").update(auth_state=AuthState.OK, auth_error="")
    account = KommoAccount.objects.get(subdomain="loja-b")
    account.access_token, account.refresh_token = pair["access_token"], pair["refresh_token"]
    account.expires_at = timezone.now() + timedelta(days=1)
    account.save()
    kommo.reset_counters()

    code, output = sync_kommo("--failed-only")

    assert code == 0, output
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.SUCCEEDED
    assert remotes["loja-b"].summary() == master.summary()
    assert remotes["loja-a"].requests.total() == 0 and remotes["loja-c"].requests.total() == 0
    assert master.requests.total() == 0  # the retry compares with the master as the run read it

    operator = User.objects.create_user("op@example.com", "s3nha-forte!", role=Role.OPERATOR)
    api = APIClient()
    api.force_authenticate(operator)
    status = {a["subdomain"]: a for a in api.get("/api/v1/integrations/kommo/status").json()["accounts"]}
    assert status["loja-b"]["success_rate_30d"] == 0.5 and status["loja-b"]["runs_30d"] == 2
    assert status["loja-a"]["success_rate_30d"] == 1.0 and status["loja-b"]["auth_state"] == "OK"
    assert status["central"]["last_sync"] is None and status["loja-c"]["last_sync"]["status"] == "SUCCEEDED"


def test_kommo_errors_are_recorded_per_item_with_kommos_answer_and_transient_ones_retried(kommo: KommoFake) -> None:
    _master, master = oauth_account(kommo, "base", AccountRole.MASTER)
    master_configuration(master, pipelines=1, stages=2, fields=3)
    _replica, replica = oauth_account(kommo, "instavel")
    refused = {
        "title": "Bad Request",
        "status": 400,
        "detail": "Request validation failed",
        "validation-errors": [
            {
                "request_id": "f0",
                "errors": [{"code": "NotSupportedChoice", "path": "0.name", "detail": "Nome reservado"}],
            }
        ],
    }
    replica.faults = [
        Fault(503, "Service Unavailable", "GET", "/leads/pipelines"),
        Fault(429, "Too Many Requests", "GET", "/contacts/custom_fields", {"Retry-After": "1"}),
        Fault(400, refused, "POST", "/leads/custom_fields"),
    ]

    code, output = sync_kommo("--type", "full")

    assert code != 0
    child = Execution.objects.get(kind="KOMMO_REPLICA_SYNC")
    assert child.status == ExecutionStatus.PARTIAL
    assert child.counters["fields_failed"] == 1 and child.counters["fields_created"] == 2
    assert "NotSupportedChoice" not in output and "0.name: Nome reservado" in output
    assert replica.faults == []  # every fault was met, and the run went on after each
    assert len(replica.fields["leads"]) == 0 and len(replica.fields["contacts"]) == 1


def test_a_401_renews_once_and_two_workers_refreshing_one_account_burn_no_grant(kommo: KommoFake) -> None:
    account, remote = oauth_account(kommo, "dupla")
    kommo.expire_access_tokens(remote)  # Kommo refuses it although our expiry says it is good
    kommo.refresh_delay = 0.3  # both workers are inside their refresh at the same time
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            source = AccountTokens(KommoAccount.objects.get(pk=account.pk))
            tokens.append(source.renew(str(account.access_token)))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert remote.refreshes == 1 and remote.burned_grants == 0
    assert len(set(tokens)) == 1
    stored = KommoAccount.objects.get(pk=account.pk)
    assert stored.access_token == tokens[0] and stored.refresh_token in remote.refresh_tokens


def test_limits_are_checked_before_writing_and_a_dry_run_writes_nothing(kommo: KommoFake, settings: Any) -> None:
    # 49 deletes under --prune below: the rate is not what this test is about.
    kommo.rate_limit = settings.KOMMO_RATE_LIMIT_PER_SECOND = 200
    _master, master = oauth_account(kommo, "sede", AccountRole.MASTER)
    master_configuration(master, pipelines=2, stages=2, fields=1)
    _full, full = oauth_account(kommo, "cheia")
    for number in range(49):
        full.add_pipeline(f"Antigo {number}", ["X"], sort=100 + number)
    _ok, ok = oauth_account(kommo, "vazia")

    code, output = sync_kommo("--type", "pipelines", "--dry-run")

    assert code != 0  # cheia cannot take two more pipelines
    assert "create    pipeline Funil 1" in output and "extra     pipeline Antigo 0" in output
    assert full.writes == 0 and ok.writes == 0
    assert "o Kommo aceita 50" in output
    viewer = User.objects.create_user("viewer@example.com", "s3nha-forte!", role=Role.OPERATOR)
    api = APIClient()
    api.force_authenticate(viewer)
    dry = Execution.objects.get(kind="KOMMO_SYNC", parameters__dry_run=True)
    detail = {r["subdomain"]: r for r in api.get(f"/api/v1/integrations/kommo/sync/{dry.pk}").json()["replicas"]}
    assert detail["vazia"]["status"] == "SUCCEEDED" and detail["vazia"]["counters"]["pipelines_create"] == 2
    assert {"object": "stage", "action": "create", "name": "Etapa 1.1", "pipeline": "Funil 1", "changes": {}} in detail[
        "vazia"
    ]["plan"]
    assert detail["cheia"]["status"] == "FAILED" and "50" in detail["cheia"]["errors"][0]["error"]

    code, output = sync_kommo("--type", "pipelines", "--account", "cheia")

    assert code != 0 and "nada foi gravado" in output
    assert full.writes == 0
    report = KommoReplicaReport.objects.filter(account__subdomain="cheia", dry_run=False).get()
    assert "50" in report.errors[0]["error"]

    code, output = sync_kommo("--type", "pipelines", "--account", "cheia", "--prune")

    assert code == 0, output
    assert sorted(p["name"] for p in full.pipelines.values()) == ["Funil 1", "Funil 2"]
