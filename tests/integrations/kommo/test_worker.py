"""The whole path through a real Celery worker (Redis broker, PostgreSQL, two pool processes): a Salesbot
webhook starts one sync, the worker reads the master, fans out one child per replica, the children run in
the pool within the shared rate limit, the parent closes SUCCEEDED, and the bot is continued through its
return_url. A repeated delivery while it runs starts nothing."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from integrations.kommo.models import AccountRole
from orchestration.models import Execution, ExecutionStatus
from tests.conftest import database_url_for_subprocess
from tests.fakes.kommo import CLIENT_ID, CLIENT_SECRET, KommoFake
from tests.fakes.server import FakeServer
from tests.harness.processes import (
    CeleryProcesses,
    redis_broker_env,
    redis_broker_purge,
    this_process_broker,
    wait_until,
)
from tests.integrations.kommo.conftest import master_configuration, oauth_account
from tests.integrations.kommo.jwt import salesbot_jwt

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def worker(django_db_setup: None, kommo_server: FakeServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir = tmp_path_factory.mktemp("kommo")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url_for_subprocess(),
        "ORQUESTRA_VAR_DIR": str(var_dir / "var"),
        "PYTHONUNBUFFERED": "1",
        "DEMO_SIMULATORS": "0",
        "KOMMO_BASE_URL": f"{kommo_server.url}/{{subdomain}}",
        "KOMMO_CLIENT_ID": CLIENT_ID,
        "KOMMO_CLIENT_SECRET": CLIENT_SECRET,
        "KOMMO_CONCURRENCY": "2",
    }
    env = redis_broker_env(env)
    redis_broker_purge(env["CELERY_BROKER_URL"])
    with CeleryProcesses(env, var_dir / "logs") as celery:
        celery.worker(name="kommo", concurrency=2)
        yield env["CELERY_BROKER_URL"]


def test_a_salesbot_webhook_syncs_every_replica_through_the_worker_and_continues_the_bot(
    transactional_db: None, worker: str, kommo: KommoFake, settings: Any
) -> None:
    settings.KOMMO_CONCURRENCY = 2
    _master, master = oauth_account(kommo, "hq", AccountRole.MASTER)
    master_configuration(master, pipelines=2, stages=3, fields=3)
    replicas = [oauth_account(kommo, f"unidade-{n}", expired=n == 0)[1] for n in range(4)]
    return_url = f"{kommo.server_url}/hq/api/v4/salesbot/77/continue/abc"  # type: ignore[attr-defined]
    body = {"token": salesbot_jwt(CLIENT_SECRET, "hq"), "data": {"sync_type": "full"}, "return_url": return_url}

    with this_process_broker(worker):
        first = APIClient().post("/api/v1/integrations/kommo/webhook", body, format="json")
        replay = APIClient().post("/api/v1/integrations/kommo/webhook", body, format="json")

    assert first.status_code == 200 and first.json()["started"] is True
    assert replay.json() == {"execution_id": first.json()["execution_id"], "started": False}
    parent = wait_until(
        lambda: Execution.objects.filter(pk=first.json()["execution_id"], finished_at__isnull=False).first(),
        timeout=60,
        what="the Kommo sync to end",
    )
    assert parent.status == ExecutionStatus.SUCCEEDED, list(parent.log_lines.values_list("message", flat=True))
    assert parent.children.filter(status=ExecutionStatus.SUCCEEDED).count() == 4
    assert all(remote.summary() == master.summary() for remote in replicas)
    assert replicas[0].refreshes == 1  # renewed before use, in the worker
    assert all(a.over_limit == 0 and a.max_per_second <= 7 for a in [master, *replicas])
    wait_until(lambda: kommo.salesbot_calls, timeout=20, what="the bot to be continued")
    path, answer = kommo.salesbot_calls[0]
    assert path == "/api/v4/salesbot/77/continue/abc" and answer["data"]["execution_id"] == parent.pk
