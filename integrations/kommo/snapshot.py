"""A Kommo account's configuration as one value: read through the client, stored as JSON (the master's, once
per sync, in KommoMasterSnapshot) and rebuilt into records."""

from dataclasses import asdict, dataclass, field
from typing import Any

from integrations.kommo.client import KommoClient
from integrations.kommo.models import SyncType
from integrations.kommo.records import ENTITIES, KommoEnum, KommoField, KommoPipeline, KommoStage


@dataclass
class AccountConfiguration:
    pipelines: list[KommoPipeline] | None = None  # None: not part of this sync type (not read)
    fields: dict[str, list[KommoField]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "pipelines": None if self.pipelines is None else [asdict(p) for p in self.pipelines],
            "fields": {entity: [asdict(f) for f in items] for entity, items in self.fields.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AccountConfiguration":
        pipelines = data.get("pipelines")
        return cls(
            pipelines=None
            if pipelines is None
            else [KommoPipeline(**{**p, "stages": tuple(KommoStage(**s) for s in p["stages"])}) for p in pipelines],
            fields={
                entity: [KommoField(**{**f, "enums": tuple(KommoEnum(**e) for e in f["enums"])}) for f in items]
                for entity, items in (data.get("fields") or {}).items()
            },
        )


def wants_pipelines(sync_type: str) -> bool:
    return sync_type in (SyncType.FULL, SyncType.PIPELINES)


def wants_fields(sync_type: str) -> bool:
    return sync_type in (SyncType.FULL, SyncType.CUSTOM_FIELDS)


def configuration_read(client: KommoClient, sync_type: str) -> AccountConfiguration:
    """Only what the sync type compares: one request for pipelines and stages, one (or a page more) per
    custom-field entity."""
    configuration = AccountConfiguration()
    if wants_pipelines(sync_type):
        configuration.pipelines = [p for p in client.pipelines() if not p.is_archive]
    if wants_fields(sync_type):
        configuration.fields = {entity: client.custom_fields(entity) for entity in ENTITIES}
    return configuration
