"""State of one fake Kommo account: pipelines with stages, custom fields with enums, tokens, request counts."""

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import FakeResponse

PALETTE = [  # Kommo's stage colours (the official PHP library's list)
    *("#fffeb2", "#fffd7f", "#fff000", "#ffeab2", "#ffdc7f", "#ffce5a", "#ffdbdb", "#ffc8c8", "#ff8f92"),
    *("#d6eaff", "#c1e0ff", "#98cbff", "#ebffb1", "#deff81", "#87f2c0", "#f9deff", "#f3beff", "#ccc8f9"),
    *("#eb93ff", "#f2f3f4", "#e6e8ea"),
]
MAX_PIPELINES = 50
MAX_STAGES = 100
FIELD_TYPES = {
    "text", "numeric", "checkbox", "select", "multiselect", "date", "url", "textarea", "radiobutton",
    "streetaddress", "smart_address", "birthday", "legal_entity", "date_time", "price", "category", "multitext",
}  # fmt: skip
SELECT_TYPES = {"select", "multiselect", "radiobutton"}

_ids = iter(range(10_000, 10**9))
_ids_lock = threading.Lock()


def next_id() -> int:
    with _ids_lock:
        return next(_ids)


@dataclass
class Fault:
    """One injected answer: the next request with this method whose path contains `path_part`."""

    status: int
    body: Any = ""
    method: str = ""
    path_part: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and self.path_part in path

    def response(self) -> FakeResponse:
        body = self.body if isinstance(self.body, str) else json.dumps(self.body)
        kind = "application/problem+json" if self.status < 500 and not isinstance(self.body, str) else "text/html"
        return FakeResponse(self.status, body, {"Content-Type": kind, **self.headers})


@dataclass
class FakeAccount:
    subdomain: str
    account_id: int = field(default_factory=next_id)
    pipelines: dict[int, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"leads": {}, "contacts": {}, "companies": {}}
    )
    access_tokens: dict[str, float] = field(default_factory=dict)  # token → expires at (time.time())
    refresh_tokens: set[str] = field(default_factory=set)  # valid (unused) refresh tokens
    long_lived_tokens: set[str] = field(default_factory=set)
    per_second: Counter[int] = field(default_factory=Counter)  # int(time.time()) → requests that second
    over_limit: int = 0  # requests answered 429
    banned: bool = False
    requests: Counter[str] = field(default_factory=Counter)  # "GET", "POST", ... on the API (not oauth)
    refreshes: int = 0
    burned_grants: int = 0  # refresh attempts with a used or revoked refresh token
    faults: list["Fault"] = field(default_factory=list)  # answered instead of the real thing, once each

    @property
    def max_per_second(self) -> int:
        return max(self.per_second.values(), default=0)

    @property
    def writes(self) -> int:
        return sum(n for method, n in self.requests.items() if method != "GET")

    # --- building state -----------------------------------------------------------------------

    def add_pipeline(self, name: str, stages: list[str], *, sort: int = 10, is_main: bool = False) -> dict[str, Any]:
        pipeline_id = next_id()
        statuses = [
            {"id": next_id(), "name": name_, "sort": 10 * (i + 1), "color": PALETTE[i % len(PALETTE)], "type": 0}
            for i, name_ in enumerate(stages)
        ]
        pipeline = {
            "id": pipeline_id,
            "name": name,
            "sort": sort,
            "is_main": is_main or not self.pipelines,
            "is_unsorted_on": False,
            "is_archive": False,
            "statuses": {s["id"]: s for s in statuses},
        }
        self._system_stages(pipeline, "Venda ganha", "Venda perdida")
        self.pipelines[pipeline_id] = pipeline
        return pipeline

    def _system_stages(self, pipeline: dict[str, Any], won: str, lost: str) -> None:
        pipeline["statuses"][142] = {"id": 142, "name": won, "sort": 10000, "color": "#ccff66", "type": 0}
        pipeline["statuses"][143] = {"id": 143, "name": lost, "sort": 11000, "color": "#d5d8db", "type": 0}

    def add_field(
        self, entity: str, name: str, type_: str = "text", enums: list[str] | None = None, sort: int = 500
    ) -> dict[str, Any]:
        item = {
            "id": next_id(),
            "name": name,
            "type": type_,
            "code": None,
            "sort": sort,
            "is_predefined": False,
            "is_deletable": True,
            "enums": [{"id": next_id(), "value": v, "sort": 1 + i} for i, v in enumerate(enums or [])] or None,
        }
        self.fields[entity][item["id"]] = item
        return item

    def stage_by_name(self, pipeline_name: str, stage_name: str) -> dict[str, Any]:
        pipeline = next(p for p in self.pipelines.values() if p["name"] == pipeline_name)
        return next(s for s in pipeline["statuses"].values() if s["name"] == stage_name)

    def summary(self) -> dict[str, Any]:
        """Names only, comparable between accounts: {pipeline: [stages...]}, {entity: {field: [enums]}}."""
        return {
            "pipelines": {
                p["name"]: [s["name"] for s in sorted(p["statuses"].values(), key=lambda s: (s["sort"], s["id"]))]
                for p in self.pipelines.values()
            },
            "fields": {
                entity: {f["name"]: [e["value"] for e in (f["enums"] or [])] for f in items.values()}
                for entity, items in self.fields.items()
            },
        }
