"""What the Kommo client returns: typed records of pipelines, stages and custom fields, and batch outcomes."""

from dataclasses import dataclass, field
from typing import Any

SYSTEM_STAGE_IDS = (142, 143)  # closed-won, closed-lost: in every pipeline, never editable
UNSORTED_STAGE_TYPE = 1  # "Incoming leads", switched by the pipeline's is_unsorted_on
ENTITIES = ("leads", "contacts", "companies")
SELECT_TYPES = frozenset({"select", "multiselect", "radiobutton"})


@dataclass(frozen=True)
class KommoStage:
    id: int
    name: str
    sort: int
    color: str
    type: int
    is_editable: bool

    @property
    def is_system(self) -> bool:
        return self.id in SYSTEM_STAGE_IDS or not self.is_editable or self.type == UNSORTED_STAGE_TYPE


@dataclass(frozen=True)
class KommoPipeline:
    id: int
    name: str
    sort: int
    is_main: bool
    is_unsorted_on: bool
    is_archive: bool
    stages: tuple[KommoStage, ...]


@dataclass(frozen=True)
class KommoEnum:
    id: int
    value: str
    sort: int


@dataclass(frozen=True)
class KommoField:
    id: int
    entity: str
    name: str
    type: str
    code: str
    sort: int
    is_predefined: bool
    is_deletable: bool
    enums: tuple[KommoEnum, ...]


@dataclass
class BatchOutcome:
    """A batch write: created/updated objects by request_id, and Kommo's per-item errors by request_id."""

    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KommoTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def stage_from(data: dict[str, Any]) -> KommoStage:
    return KommoStage(
        id=_int(data.get("id")),
        name=str(data.get("name") or ""),
        sort=_int(data.get("sort")),
        color=str(data.get("color") or ""),
        type=_int(data.get("type")),
        is_editable=bool(data.get("is_editable", True)),
    )


def pipeline_from(data: dict[str, Any]) -> KommoPipeline:
    stages = ((data.get("_embedded") or {}).get("statuses")) or []
    return KommoPipeline(
        id=_int(data.get("id")),
        name=str(data.get("name") or ""),
        sort=_int(data.get("sort")),
        is_main=bool(data.get("is_main")),
        is_unsorted_on=bool(data.get("is_unsorted_on")),
        is_archive=bool(data.get("is_archive")),
        stages=tuple(stage_from(stage) for stage in stages if isinstance(stage, dict)),
    )


def field_from(entity: str, data: dict[str, Any]) -> KommoField:
    enums = data.get("enums") or []
    return KommoField(
        id=_int(data.get("id")),
        entity=entity,
        name=str(data.get("name") or ""),
        type=str(data.get("type") or ""),
        code=str(data.get("code") or ""),
        sort=_int(data.get("sort")),
        is_predefined=bool(data.get("is_predefined")),
        is_deletable=bool(data.get("is_deletable", True)),
        enums=tuple(
            KommoEnum(_int(item.get("id")), str(item.get("value") or ""), _int(item.get("sort")))
            for item in enums
            if isinstance(item, dict)
        ),
    )
