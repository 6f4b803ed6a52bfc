"""Plan before apply: what one replica needs so that it matches the master, decided from the master's
snapshot, the replica's configuration and the replica's stored ID mapping — and nothing else.

Each master object is matched first by the stored mapping (so a rename on the master is an update, not a
new object), then by name (a replica set up by hand, or a first sync). System stages 142/143 are mapped,
never written. What exists only on the replica is `extra`: reported, and deleted only with `prune`.
Kommo's limits (50 pipelines, 100 stages per pipeline) are checked here, before anything is written."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from integrations.kommo.records import SELECT_TYPES, SYSTEM_STAGE_IDS, KommoField, KommoPipeline, KommoStage
from integrations.kommo.snapshot import AccountConfiguration

MAX_PIPELINES = 50
MAX_STAGES_PER_PIPELINE = 100  # system stages included

CREATE, UPDATE, UNCHANGED, EXTRA, DELETE, CONFLICT = "create", "update", "unchanged", "extra", "delete", "conflict"


def pipeline_key(pipeline_id: int) -> str:
    return f"pipeline:{pipeline_id}"


def stage_key(pipeline_id: int, stage_id: int) -> str:
    return f"stage:{pipeline_id}:{stage_id}"


def field_key(entity: str, field_id: int) -> str:
    return f"field:{entity}:{field_id}"


def enum_key(entity: str, field_id: int, enum_id: int) -> str:
    return f"enum:{entity}:{field_id}:{enum_id}"


def _same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


@dataclass
class StagePlan:
    action: str
    master: KommoStage | None = None
    replica: KommoStage | None = None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class PipelinePlan:
    action: str
    master: KommoPipeline | None = None
    replica: KommoPipeline | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    stages: list[StagePlan] = field(default_factory=list)


@dataclass
class FieldPlan:
    action: str
    entity: str
    master: KommoField | None = None
    replica: KommoField | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # for an update: the PATCH item, without id
    detail: str = ""


@dataclass
class ReplicaPlan:
    pipelines: list[PipelinePlan] = field(default_factory=list)
    fields: list[FieldPlan] = field(default_factory=list)
    mappings: dict[str, int] = field(default_factory=dict)  # master_key → replica id, known from matching
    limit_errors: list[str] = field(default_factory=list)
    prune: bool = False

    def counts(self) -> dict[str, int]:
        """{"pipelines_create": 2, "stages_unchanged": 40, ...} for the ledger and the dry-run report."""
        counts: dict[str, int] = {}

        def add(kind: str, action: str) -> None:
            counts[f"{kind}_{action}"] = counts.get(f"{kind}_{action}", 0) + 1

        for pipeline in self.pipelines:
            add("pipelines", pipeline.action)
            for stage in pipeline.stages:
                add("stages", stage.action)
        for item in self.fields:
            add("fields", item.action)
        return counts

    @property
    def writes(self) -> int:
        return sum(v for k, v in self.counts().items() if k.endswith(("_create", "_update", "_delete")))

    def as_json(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for pipeline in self.pipelines:
            name = (pipeline.master or pipeline.replica).name  # type: ignore[union-attr]
            rows.append({"object": "pipeline", "action": pipeline.action, "name": name, "changes": pipeline.changes})
            for stage in pipeline.stages:
                stage_name = (stage.master or stage.replica).name  # type: ignore[union-attr]
                rows.append(
                    {
                        "object": "stage",
                        "action": stage.action,
                        "name": stage_name,
                        "pipeline": name,
                        "changes": stage.changes,
                    }
                )
        for item in self.fields:
            name = (item.master or item.replica).name  # type: ignore[union-attr]
            row = {"object": "field", "action": item.action, "name": name, "entity": item.entity}
            if item.action == UPDATE:
                row["changes"] = {k: v for k, v in item.changes.items() if k != "request_id"}
            if item.detail:
                row["detail"] = item.detail
            rows.append(row)
        return rows


def _stage_changes(master: KommoStage, replica: KommoStage) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if master.name != replica.name:
        changes["name"] = master.name
    if master.sort != replica.sort:
        changes["sort"] = master.sort
    if master.color and master.color != replica.color:
        changes["color"] = master.color
    return changes


def _pipeline_changes(master: KommoPipeline, replica: KommoPipeline) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if master.name != replica.name:
        changes["name"] = master.name
    if master.sort != replica.sort:
        changes["sort"] = master.sort
    if master.is_unsorted_on != replica.is_unsorted_on:
        changes["is_unsorted_on"] = master.is_unsorted_on
    # Only ever set to true: Kommo keeps exactly one main pipeline and unsets the previous one itself.
    if master.is_main and not replica.is_main:
        changes["is_main"] = True
    return changes


def _match(
    master_items: list[Any], replica_items: list[Any], key_of: Any, mapping: dict[str, int], same: Any
) -> dict[int, Any]:
    """master id → replica object: by stored mapping, then by `same` among those still unmatched."""
    by_id = {item.id: item for item in replica_items}
    matched: dict[int, Any] = {}
    taken: set[int] = set()
    for master in master_items:
        replica = by_id.get(mapping.get(key_of(master), -1))
        if replica is not None and replica.id not in taken:
            matched[master.id] = replica
            taken.add(replica.id)
    for master in master_items:
        if master.id in matched:
            continue
        for replica in replica_items:
            if replica.id not in taken and same(master, replica):
                matched[master.id] = replica
                taken.add(replica.id)
                break
    return matched


def _plan_stages(plan: ReplicaPlan, master: KommoPipeline, replica: KommoPipeline, mapping: dict[str, int]) -> None:
    pipeline_plan = plan.pipelines[-1]
    for stage_id in SYSTEM_STAGE_IDS:
        plan.mappings[stage_key(master.id, stage_id)] = stage_id
    master_regular = [s for s in master.stages if not s.is_system]
    replica_regular = [s for s in replica.stages if not s.is_system]
    matched = _match(
        master_regular,
        replica_regular,
        lambda s: stage_key(master.id, s.id),
        mapping,
        lambda m, r: _same_name(m.name, r.name),
    )
    for stage in master_regular:
        other = matched.get(stage.id)
        if other is None:
            pipeline_plan.stages.append(StagePlan(CREATE, master=stage))
            continue
        plan.mappings[stage_key(master.id, stage.id)] = other.id
        changes = _stage_changes(stage, other)
        pipeline_plan.stages.append(StagePlan(UPDATE if changes else UNCHANGED, stage, other, changes))
    used = {s.id for s in matched.values()}
    for stage in replica_regular:
        if stage.id not in used:
            pipeline_plan.stages.append(StagePlan(DELETE if plan.prune else EXTRA, replica=stage))
    creates = sum(1 for s in pipeline_plan.stages if s.action == CREATE)
    deletes = sum(1 for s in pipeline_plan.stages if s.action == DELETE)
    total = len(replica.stages) + creates - deletes
    if total > MAX_STAGES_PER_PIPELINE:
        plan.limit_errors.append(
            _("O funil “%(name)s” ficaria com %(total)d etapas; o Kommo aceita %(max)d (etapas do sistema incluídas).")
            % {"name": master.name, "total": total, "max": MAX_STAGES_PER_PIPELINE}
        )


def _plan_pipelines(
    plan: ReplicaPlan, master: list[KommoPipeline], replica: list[KommoPipeline], mapping: dict[str, int]
) -> None:
    matched = _match(master, replica, lambda p: pipeline_key(p.id), mapping, lambda m, r: _same_name(m.name, r.name))
    for pipeline in sorted(master, key=lambda p: (p.sort, p.id)):
        other = matched.get(pipeline.id)
        if other is None:
            regular = [s for s in pipeline.stages if not s.is_system]
            plan.pipelines.append(
                PipelinePlan(CREATE, master=pipeline, stages=[StagePlan(CREATE, master=s) for s in regular])
            )
            total = len(regular) + len(SYSTEM_STAGE_IDS) + (1 if pipeline.is_unsorted_on else 0)
            if total > MAX_STAGES_PER_PIPELINE:
                plan.limit_errors.append(
                    _("O funil “%(name)s” teria %(total)d etapas; o Kommo aceita %(max)d.")
                    % {"name": pipeline.name, "total": total, "max": MAX_STAGES_PER_PIPELINE}
                )
            continue
        plan.mappings[pipeline_key(pipeline.id)] = other.id
        changes = _pipeline_changes(pipeline, other)
        plan.pipelines.append(PipelinePlan(UPDATE if changes else UNCHANGED, pipeline, other, changes))
        _plan_stages(plan, pipeline, other, mapping)
    used = {p.id for p in matched.values()}
    for pipeline in replica:
        if pipeline.id not in used:
            plan.pipelines.append(PipelinePlan(DELETE if plan.prune else EXTRA, replica=pipeline))
    creates = sum(1 for p in plan.pipelines if p.action == CREATE)
    deletes = sum(1 for p in plan.pipelines if p.action == DELETE)
    if len(replica) + creates - deletes > MAX_PIPELINES:
        plan.limit_errors.append(
            _("A conta ficaria com %(total)d funis; o Kommo aceita %(max)d.")
            % {"total": len(replica) + creates - deletes, "max": MAX_PIPELINES}
        )


def _enum_changes(
    plan: ReplicaPlan, entity: str, master: KommoField, replica: KommoField, mapping: dict[str, int]
) -> list[dict[str, Any]] | None:
    """The complete option list to PATCH (Kommo deletes the options left out), or None when equal."""
    matched = _match(
        list(master.enums),
        list(replica.enums),
        lambda e: enum_key(entity, master.id, e.id),
        mapping,
        lambda m, r: _same_name(m.value, r.value),
    )
    wanted: list[dict[str, Any]] = []
    differs = False
    for option in master.enums:
        other = matched.get(option.id)
        if other is None:
            wanted.append({"value": option.value, "sort": option.sort})
            differs = True
            continue
        plan.mappings[enum_key(entity, master.id, option.id)] = other.id
        wanted.append({"id": other.id, "value": option.value, "sort": option.sort})
        differs = differs or other.value != option.value or other.sort != option.sort
    used = {e.id for e in matched.values()}
    extras = [e for e in replica.enums if e.id not in used]
    if extras and plan.prune:
        differs = True
    elif extras:
        wanted.extend({"id": e.id, "value": e.value, "sort": e.sort} for e in extras)
    return wanted if differs else None


def _plan_fields(
    plan: ReplicaPlan, entity: str, master: list[KommoField], replica: list[KommoField], mapping: dict[str, int]
) -> None:
    def same(m: KommoField, r: KommoField) -> bool:
        if m.code and r.code:
            return m.code == r.code and m.type == r.type
        return _same_name(m.name, r.name) and m.type == r.type

    matched = _match(master, replica, lambda f: field_key(entity, f.id), mapping, same)
    used = {f.id for f in matched.values()}
    for item in sorted(master, key=lambda f: (f.sort, f.id)):
        other = matched.get(item.id)
        if other is not None:
            plan.mappings[field_key(entity, item.id)] = other.id
            if item.is_predefined:
                continue  # Kommo's own fields: mapped, never written
            changes: dict[str, Any] = {}
            if item.name != other.name:
                changes["name"] = item.name
            if item.sort != other.sort:
                changes["sort"] = item.sort
            if item.type in SELECT_TYPES:
                enums = _enum_changes(plan, entity, item, other, mapping)
                if enums is not None:
                    changes["enums"] = enums
            plan.fields.append(FieldPlan(UPDATE if changes else UNCHANGED, entity, item, other, changes))
            continue
        if item.is_predefined:
            continue
        clash = next((r for r in replica if r.id not in used and _same_name(r.name, item.name)), None)
        if clash is not None:
            detail = _("a réplica já tem um campo “%(name)s” do tipo %(other)s (na mestre: %(type)s)") % {
                "name": item.name,
                "other": clash.type,
                "type": item.type,
            }
            plan.fields.append(FieldPlan(CONFLICT, entity, item, clash, detail=detail))
            used.add(clash.id)
            continue
        plan.fields.append(FieldPlan(CREATE, entity, master=item))
    for item in replica:
        if item.id not in used and not item.is_predefined and item.is_deletable:
            plan.fields.append(FieldPlan(DELETE if plan.prune else EXTRA, entity, replica=item))


def replica_plan(
    master: AccountConfiguration, replica: AccountConfiguration, mapping: dict[str, int], *, prune: bool = False
) -> ReplicaPlan:
    plan = ReplicaPlan(prune=prune)
    if master.pipelines is not None and replica.pipelines is not None:
        _plan_pipelines(plan, master.pipelines, replica.pipelines, mapping)
    for entity, fields in master.fields.items():
        _plan_fields(plan, entity, fields, replica.fields.get(entity, []), mapping)
    return plan
