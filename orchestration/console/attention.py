"""The shape of the apps' "needs attention" tiles (sessions down, accounts to re-authorize, revoked tokens),
which share one template: console/tiles/attention.html."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AttentionItem:
    label: str
    url: str = ""
    detail: str = ""
    badge: str = ""
    badge_class: str = "bad"  # ok, warn, bad, run (console.css)


def attention_context(items: list[AttentionItem], *, total: int, list_url: str, empty: str) -> dict[str, Any]:
    return {"items": items, "total": total, "list_url": list_url, "empty": empty}
