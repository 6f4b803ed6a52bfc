"""The sync task runs the execution the enqueue recorded, with that execution's trigger; only the enqueue
imports the task."""

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from integrations.movidesk import tasks
from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.windows import local_today
from orchestration.models import Execution, ExecutionStatus, Trigger

pytestmark = pytest.mark.django_db
PROVIDER = Path(settings.BASE_DIR) / "integrations" / "movidesk"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The messages the sync task would have sent to the broker (their kwargs)."""
    messages: list[dict[str, Any]] = []

    def apply_async(args: Any = None, kwargs: dict[str, Any] | None = None, **options: Any) -> None:
        messages.append(dict(kwargs or {}))

    monkeypatch.setattr(tasks.movidesk_sync, "apply_async", apply_async)
    return messages


@pytest.mark.parametrize("trigger", [Trigger.MANUAL, Trigger.API])
def test_the_worker_runs_the_queued_execution_with_its_own_trigger(
    trigger: str, sent: list[dict[str, Any]], movidesk_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    today = local_today()
    with django_capture_on_commit_callbacks(execute=True):
        queued = movidesk_sync_enqueue(date_from=today - timedelta(days=1), date_to=today, trigger=trigger)

    [message] = sent
    assert message["execution_id"] == queued.pk and message["trigger"] == trigger
    ran = Execution.objects.get(pk=tasks.movidesk_sync.apply(kwargs=message).get())

    assert ran.pk == queued.pk
    assert (ran.status, ran.trigger) == (ExecutionStatus.SUCCEEDED, trigger)
    assert Execution.objects.count() == 1


def test_a_sync_sent_without_an_execution_records_the_trigger_it_was_given(movidesk_server) -> None:  # type: ignore[no-untyped-def]
    today = local_today().isoformat()

    result = tasks.movidesk_sync.apply(kwargs={"date_from": today, "date_to": today, "trigger": Trigger.MANUAL})

    execution = Execution.objects.get(pk=result.get())
    assert (execution.status, execution.trigger) == (ExecutionStatus.SUCCEEDED, Trigger.MANUAL)


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_only_the_enqueue_imports_the_tasks() -> None:
    task_modules = {"integrations.tasks", "integrations.movidesk.tasks"}
    importers = sorted(
        path.relative_to(PROVIDER).as_posix()
        for path in PROVIDER.rglob("*.py")
        if _imported_modules(path) & task_modules
    )

    assert importers == ["enqueue.py"]
