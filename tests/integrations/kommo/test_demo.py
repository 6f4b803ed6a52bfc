"""`make run`'s Kommo: the simulator's master and replicas registered by load_demo, a real sync queued and
run against it, the schedules written by setup_schedules; and the admin's sync action."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_celery_beat.models import PeriodicTask

from integrations.kommo.demo import kommo_demo_history
from integrations.kommo.models import KommoAccount
from integrations.kommo.schedules import DEMO_SCHEDULE_NAME, SCHEDULE_NAME
from integrations.kommo.sync import kommo_children_run_local, kommo_sync_run
from orchestration.models import Execution, ExecutionStatus, User
from orchestration.registries.demo import DemoContext
from tests.fakes.kommo import DEMO_MASTER, DEMO_REPLICAS, demo_handler
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.services


def setup_schedules() -> None:
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db(transaction=True)
def test_the_demo_registers_the_simulator_accounts_and_its_queued_sync_keeps_them_in_line(settings: Any) -> None:
    settings.DEMO_SIMULATORS = True
    settings.KOMMO_BASE_URL = ""
    with FakeServer(demo_handler()) as server:
        settings.KOMMO_SIMULATOR_PORT = server.httpd.server_address[1]
        line = kommo_demo_history(DemoContext(users={}))
        assert "4 réplicas" in line
        assert kommo_demo_history(DemoContext(users={})) == ""  # idempotent
        parent = Execution.objects.get(kind="KOMMO_SYNC")
        assert parent.status == ExecutionStatus.QUEUED
        # What the worker does with it (run here, the children in this process).
        Execution.objects.filter(pk=parent.pk).update(parameters={**parent.parameters, "local": True})
        parent = kommo_children_run_local(kommo_sync_run(execution_id=parent.pk))

    assert parent.status == ExecutionStatus.SUCCEEDED, list(parent.log_lines.values_list("message", flat=True))
    assert KommoAccount.objects.get(subdomain=DEMO_MASTER).role == "MASTER"
    assert sorted(c.parameters["subdomain"] for c in parent.children.all()) == sorted(DEMO_REPLICAS)
    poa = parent.children.get(parameters__subdomain="demo-filial-poa")
    assert poa.counters["pipelines_created"] == 2 and poa.counters["pipelines_extra"] == 1


def test_setup_schedules_writes_the_daily_sync_and_the_demo_one_only_with_simulators(db: None, settings: Any) -> None:
    settings.DEMO_SIMULATORS, settings.KOMMO_BASE_URL = True, ""
    setup_schedules()
    daily = PeriodicTask.objects.get(name=SCHEDULE_NAME)
    assert daily.task == "integrations.kommo_sync_scheduled" and daily.crontab.hour == "6"
    assert PeriodicTask.objects.get(name=DEMO_SCHEDULE_NAME).interval.every == 180

    settings.DEMO_SIMULATORS = False
    settings.KOMMO_SYNC_CRONTAB = ""
    setup_schedules()
    assert not PeriodicTask.objects.filter(name__startswith="Kommo: ").exists()


def test_the_admin_action_queues_a_sync_of_the_selected_replicas(
    admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    KommoAccount.objects.create(subdomain="matriz", name="M", role="MASTER", long_lived_token="segredo-1")
    loja = KommoAccount.objects.create(subdomain="loja", name="L", long_lived_token="segredo-2")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/integrations/kommoaccount/{loja.pk}/change/")
    assert page.status_code == 200 and "segredo-2" not in page.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        answer = client.post(
            "/admin/integrations/kommoaccount/",
            {"action": "sync_pipelines", "_selected_action": [loja.pk]},
            follow=True,
        )
    assert answer.status_code == 200 and "Sincronização enfileirada" in answer.content.decode()
    execution = Execution.objects.get(kind="KOMMO_SYNC")
    assert execution.parameters["accounts"] == ["loja"] and execution.parameters["sync_type"] == "pipelines"
    assert len(callbacks) == 1
