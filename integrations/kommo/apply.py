"""Applies a ReplicaPlan to one replica, exactly as planned: array creates (pipelines with their stages,
stages of existing pipelines, custom fields), single-object PATCH for pipelines and stages, batch PATCH
for custom fields, deletes only for what the plan marked `delete` (prune). No read: the plan already
knows every replica id. Each item that Kommo refuses is recorded with Kommo's answer; the others go on."""

from dataclasses import dataclass, field
from typing import Any

from integrations.kommo.client import KommoClient
from integrations.kommo.plan import (
    CONFLICT,
    CREATE,
    DELETE,
    EXTRA,
    UNCHANGED,
    UPDATE,
    FieldPlan,
    PipelinePlan,
    ReplicaPlan,
    enum_key,
    field_key,
    pipeline_key,
    stage_key,
)
from integrations.kommo.records import SELECT_TYPES, SYSTEM_STAGE_IDS, KommoStage
from orchestration.outbound import ExternalApiError

DONE = {CREATE: "created", UPDATE: "updated", DELETE: "deleted"}


@dataclass
class ApplyResult:
    counters: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    mappings: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str, amount: int = 1) -> None:
        name = f"{kind}_{outcome}"
        self.counters[name] = self.counters.get(name, 0) + amount

    def fail(self, kind: str, name: str, error: str) -> None:
        self.count(kind, "failed")
        self.errors.append({"object": kind, "name": name, "error": error[:1000]})


def _stage_body(stage: KommoStage) -> dict[str, Any]:
    body: dict[str, Any] = {"name": stage.name, "sort": stage.sort}
    if stage.color:
        body["color"] = stage.color
    return body


def _map_stages_by_name(
    result: ApplyResult, master_pipeline_id: int, created: list[KommoStage], answered: list[dict[str, Any]]
) -> None:
    by_name: dict[str, int] = {}
    for answer in answered:
        if int(answer.get("id") or 0) not in SYSTEM_STAGE_IDS:
            by_name.setdefault(str(answer.get("name", "")).strip().casefold(), int(answer.get("id") or 0))
    for stage in created:
        replica_id = by_name.get(stage.name.strip().casefold())
        if replica_id:
            result.mappings[stage_key(master_pipeline_id, stage.id)] = replica_id


def _create_pipelines(client: KommoClient, plans: list[PipelinePlan], result: ApplyResult) -> None:
    if not plans:
        return
    items = []
    for number, plan in enumerate(plans):
        master = plan.master
        assert master is not None
        system = {s.id: s.name for s in master.stages if s.id in SYSTEM_STAGE_IDS}
        stages: list[dict[str, Any]] = [
            {"id": sid, "name": system.get(sid, "")} for sid in SYSTEM_STAGE_IDS if sid in system
        ]
        stages += [{**_stage_body(s.master), "request_id": f"s{i}"} for i, s in enumerate(plan.stages) if s.master]
        items.append(
            {
                "name": master.name,
                "sort": master.sort,
                "is_main": master.is_main,
                "is_unsorted_on": master.is_unsorted_on,
                "request_id": f"p{number}",
                "_embedded": {"statuses": stages},
            }
        )
    outcome = client.pipelines_create(items)
    for number, plan in enumerate(plans):
        master = plan.master
        assert master is not None
        answered = outcome.results.get(f"p{number}")
        if answered is None:
            error = outcome.failures.get(f"p{number}", "sem resposta para este item")
            result.fail("pipelines", master.name, error)
            result.count("stages", "failed", len(plan.stages))
            continue
        result.count("pipelines", "created")
        result.count("stages", "created", len(plan.stages))
        result.mappings[pipeline_key(master.id)] = int(answered["id"])
        for stage_id in SYSTEM_STAGE_IDS:
            result.mappings[stage_key(master.id, stage_id)] = stage_id
        stages = ((answered.get("_embedded") or {}).get("statuses")) or []
        _map_stages_by_name(result, master.id, [s.master for s in plan.stages if s.master], stages)


def _apply_pipeline(client: KommoClient, plan: PipelinePlan, result: ApplyResult) -> None:
    master, replica = plan.master, plan.replica
    assert master is not None and replica is not None
    if plan.action == UPDATE:
        try:
            client.pipeline_update(replica.id, plan.changes)
            result.count("pipelines", "updated")
        except ExternalApiError as error:
            result.fail("pipelines", master.name, str(error))
    else:
        result.count("pipelines", "unchanged")
    for stage in plan.stages:
        if stage.action == DELETE and stage.replica is not None:
            try:
                client.stage_delete(replica.id, stage.replica.id)
                result.count("stages", "deleted")
            except ExternalApiError as error:
                result.fail("stages", stage.replica.name, str(error))
    creates = [s for s in plan.stages if s.action == CREATE and s.master is not None]
    if creates:
        items = [{**_stage_body(s.master), "request_id": f"s{i}"} for i, s in enumerate(creates) if s.master]
        outcome = client.stages_create(replica.id, items)
        for number, stage in enumerate(creates):
            assert stage.master is not None
            answered = outcome.results.get(f"s{number}")
            if answered is None:
                result.fail("stages", stage.master.name, outcome.failures.get(f"s{number}", "sem resposta"))
                continue
            result.count("stages", "created")
            result.mappings[stage_key(master.id, stage.master.id)] = int(answered["id"])
    for stage in plan.stages:
        if stage.action == UPDATE and stage.replica is not None and stage.master is not None:
            try:
                client.stage_update(replica.id, stage.replica.id, stage.changes)
                result.count("stages", "updated")
            except ExternalApiError as error:
                result.fail("stages", stage.master.name, str(error))
        elif stage.action == UNCHANGED:
            result.count("stages", "unchanged")
        elif stage.action == EXTRA:
            result.count("stages", "extra")


def _apply_pipelines(client: KommoClient, plan: ReplicaPlan, result: ApplyResult) -> None:
    # Deletes (prune) first: they make the room the limits were checked with.
    for pipeline in plan.pipelines:
        if pipeline.action == DELETE and pipeline.replica is not None:
            try:
                client.pipeline_delete(pipeline.replica.id)
                result.count("pipelines", "deleted")
            except ExternalApiError as error:
                result.fail("pipelines", pipeline.replica.name, str(error))
    _create_pipelines(client, [p for p in plan.pipelines if p.action == CREATE], result)
    for pipeline in plan.pipelines:
        if pipeline.action in (UPDATE, UNCHANGED):
            _apply_pipeline(client, pipeline, result)
        elif pipeline.action == EXTRA:
            result.count("pipelines", "extra")


def _map_enums(result: ApplyResult, plan: FieldPlan, answered: dict[str, Any]) -> None:
    master = plan.master
    assert master is not None
    by_value = {str(e.get("value", "")).strip().casefold(): int(e.get("id") or 0) for e in answered.get("enums") or []}
    for option in master.enums:
        replica_id = by_value.get(option.value.strip().casefold())
        if replica_id:
            result.mappings[enum_key(plan.entity, master.id, option.id)] = replica_id


def _apply_fields(client: KommoClient, plan: ReplicaPlan, result: ApplyResult) -> None:
    entities = list(dict.fromkeys(item.entity for item in plan.fields))
    for entity in entities:
        items = [item for item in plan.fields if item.entity == entity]
        for item in items:
            if item.action == DELETE and item.replica is not None:
                try:
                    client.field_delete(entity, item.replica.id)
                    result.count("fields", "deleted")
                except ExternalApiError as error:
                    result.fail("fields", item.replica.name, str(error))
        creates = [item for item in items if item.action == CREATE and item.master is not None]
        if creates:
            bodies = []
            for number, item in enumerate(creates):
                master = item.master
                assert master is not None
                body: dict[str, Any] = {"name": master.name, "type": master.type, "sort": master.sort}
                if master.code:
                    body["code"] = master.code
                if master.type in SELECT_TYPES:
                    body["enums"] = [{"value": e.value, "sort": e.sort} for e in master.enums]
                bodies.append({**body, "request_id": f"f{number}"})
            outcome = client.fields_create(entity, bodies)
            for number, item in enumerate(creates):
                assert item.master is not None
                answered = outcome.results.get(f"f{number}")
                if answered is None:
                    result.fail("fields", item.master.name, outcome.failures.get(f"f{number}", "sem resposta"))
                    continue
                result.count("fields", "created")
                result.mappings[field_key(entity, item.master.id)] = int(answered["id"])
                _map_enums(result, item, answered)
        updates = [item for item in items if item.action == UPDATE and item.replica is not None]
        if updates:
            bodies = [{"id": item.replica.id, **item.changes, "request_id": str(item.replica.id)} for item in updates]  # type: ignore[union-attr]
            outcome = client.fields_update(entity, bodies)
            for item in updates:
                assert item.replica is not None and item.master is not None
                answered = outcome.results.get(str(item.replica.id))
                if answered is None:
                    refused = outcome.failures.get(str(item.replica.id), "sem resposta")
                    result.fail("fields", item.master.name, refused)
                    continue
                result.count("fields", "updated")
                if "enums" in item.changes:
                    _map_enums(result, item, answered)
        for item in items:
            if item.action == UNCHANGED:
                result.count("fields", "unchanged")
            elif item.action == EXTRA:
                result.count("fields", "extra")
            elif item.action == CONFLICT and item.master is not None:
                result.fail("fields", item.master.name, item.detail)


def plan_apply(client: KommoClient, plan: ReplicaPlan) -> ApplyResult:
    result = ApplyResult(mappings=dict(plan.mappings))
    _apply_pipelines(client, plan, result)
    _apply_fields(client, plan, result)
    return result
