"""The sync end to end against the fake: first run creates everything, a second run writes nothing, a rename
on the master propagates to the same objects, the rate of every account stays within 7 per second."""

from typing import Any

import pytest

from integrations.kommo.models import AccountRole, KommoAccount, KommoIdMapping, KommoReplicaReport
from integrations.kommo.sync import kommo_sync_create, kommo_sync_foreground
from orchestration.models import Execution, ExecutionStatus
from tests.fakes.kommo import KommoFake
from tests.integrations.kommo.conftest import master_configuration, oauth_account

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run(**options: Any) -> Execution:
    parent = kommo_sync_create(sync_type=options.pop("sync_type", "full"), local=True, **options)
    return kommo_sync_foreground(parent)


def test_first_sync_creates_everything_a_second_writes_nothing_and_a_rename_propagates(kommo: KommoFake) -> None:
    _master, master = oauth_account(kommo, "matriz", AccountRole.MASTER)
    master_configuration(master, pipelines=3, stages=4, fields=6)
    replicas = [oauth_account(kommo, f"filial-{n}")[1] for n in range(3)]
    # One replica was set up by hand: same pipeline name (kept, filled in), and one of its own (left alone).
    replicas[0].add_pipeline("Funil 1", ["Etapa 1.1"], sort=10, is_main=True)
    extra = replicas[0].add_pipeline("Só da filial", ["Xpto"], sort=90)

    parent = run()

    assert parent.status == ExecutionStatus.SUCCEEDED, parent.log_lines.values_list("message", flat=True)
    assert parent.counters["children_total"] == 3
    for remote in replicas:
        summary = remote.summary()
        summary["pipelines"].pop("Só da filial", None)
        assert summary == master.summary()
    assert extra["id"] in replicas[0].pipelines  # extra: reported, not touched
    hand_made = next(p for p in replicas[0].pipelines.values() if p["name"] == "Funil 1")
    assert len([s for s in hand_made["statuses"].values() if s["name"] == "Etapa 1.1"]) == 1  # matched, not duplicated
    first = parent.children.get(subject_id=str(KommoAccount.objects.get(subdomain="filial-0").pk))
    assert first.counters["pipelines_created"] == 2 and first.counters["pipelines_unchanged"] == 1
    assert first.counters["pipelines_extra"] == 1 and first.counters["fields_created"] == 6
    assert first.counters["stages_created"] == 11 and first.counters["stages_unchanged"] == 1
    report = KommoReplicaReport.objects.get(execution=first)
    assert {"object": "pipeline", "action": "extra", "name": "Só da filial", "changes": {}} in report.plan
    assert all(r.writes > 0 for r in replicas)

    kommo.reset_counters()
    again = run()

    assert again.status == ExecutionStatus.SUCCEEDED
    plans = [
        [row for row in r.plan if row["action"] not in ("unchanged", "extra")]
        for r in KommoReplicaReport.objects.filter(execution__parent=again)
    ]
    assert [r.writes for r in replicas] == [0, 0, 0], plans
    assert master.writes == 0
    # The master is read once for the whole sync: 1 pipelines GET + 3 custom-field GETs.
    assert master.requests["GET"] == 4

    stage = master.stage_by_name("Funil 2", "Etapa 2.3")
    stage["name"] = "Etapa 2.3 (renomeada)"
    field = next(f for f in master.fields["contacts"].values() if f["type"] == "select")
    field["enums"][0]["value"] = "A renomeada"
    mapped_stage = KommoIdMapping.objects.filter(master_key__endswith=f":{stage['id']}").values_list(
        "replica_id", flat=True
    )
    kommo.reset_counters()

    third = run()

    assert third.status == ExecutionStatus.SUCCEEDED
    for remote in replicas:
        assert remote.requests["PATCH"] == 2  # the stage (single PATCH) and the field (one batch PATCH)
        assert remote.requests["POST"] == 0
    renamed = [
        s["id"]
        for r in replicas
        for p in r.pipelines.values()
        for s in p["statuses"].values()
        if s["name"] == "Etapa 2.3 (renomeada)"
    ]
    assert sorted(renamed) == sorted(mapped_stage)  # the same objects, renamed
    for remote in replicas:
        summary = remote.summary()
        summary["pipelines"].pop("Só da filial", None)
        assert summary == master.summary()
    for account in [master, *replicas]:
        assert account.over_limit == 0 and account.max_per_second <= 7
