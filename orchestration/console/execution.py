"""What the execution page shows about one run, in people's words: labels, tables, the item it concerns."""

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel
from orchestration.registries.kinds import kind_get, kind_label

PAGE_LINES = 500
LEVELS = [level for level, _label in LogLevel.choices]


@dataclass(frozen=True)
class Subject:
    label: str
    type_label: str
    url: str


def _value(value: Any) -> str:
    """A parameter or counter as text: scalars as they are, lists and objects as compact JSON."""
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def readable_table(values: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(name).replace("_", " "), _value(value)) for name, value in values.items()]


def execution_subject(execution: Execution) -> Subject | None:
    """The item the run concerns, with the admin page where it is configured when there is one."""
    if execution.subject_type_id is None:
        return None
    model = execution.subject_type.model_class()  # type: ignore[union-attr]
    instance = execution.subject
    type_label = str(model._meta.verbose_name) if model is not None else execution.subject_type.model  # type: ignore[union-attr]
    if instance is None:
        return Subject(label=f"#{execution.subject_id}", type_label=type_label, url="")
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk])  # type: ignore[union-attr]
    except NoReverseMatch:
        url = ""
    return Subject(label=str(instance), type_label=type_label, url=url)


def children_by_status(execution: Execution) -> list[tuple[str, str, int]]:
    labels = dict(ExecutionStatus.choices)
    rows = execution.children.values("status").annotate(total=Count("id")).order_by("status")
    return [(row["status"], str(labels.get(row["status"], row["status"])), row["total"]) for row in rows]


def execution_page_data(execution: Execution) -> dict[str, Any]:
    kind = kind_get(execution.kind)
    total = execution.log_lines.count()
    lines: list[ExecutionLogLine] = list(execution.log_lines.order_by("-id")[:PAGE_LINES])[::-1]
    children = children_by_status(execution)
    return {
        "execution": execution,
        "kind_label": kind_label(execution.kind),
        "kind_concerns": str(kind.concerns) if kind is not None else "",
        "parameters": readable_table(execution.parameters),
        "counters": readable_table(execution.counters),
        "subject": execution_subject(execution),
        "children": children,
        "children_total": sum(total for _status, _label, total in children),
        "lines": lines,
        "hidden_lines": max(0, total - len(lines)),
        "last_line_id": lines[-1].id if lines else 0,
        "levels": LogLevel.choices,
        "is_finished": execution.is_finished,
    }
