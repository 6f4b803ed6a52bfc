"""`execution_retry_failed_child`: one failed fan-out child queued again by the rules of the retry of every
failed child (the health grid's one-cell re-run), its siblings untouched and its parent reopened or closed
again when it ends."""

from typing import Any

import pytest

from orchestration.models import Execution, ExecutionStatus
from orchestration.services.executions import (
    execution_cancel,
    execution_create,
    execution_fail,
    execution_start,
    execution_succeed,
)
from orchestration.services.fanout import ChildSpec, NothingToRetry, execution_fan_out, execution_retry_failed_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    messages: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        "orchestration.services.fanout.current_app.send_task",
        lambda name, kwargs, task_id: messages.append((name, kwargs)),
    )
    return messages


def fan_out(capture: Any, count: int) -> tuple[Execution, list[Execution]]:
    parent = execution_create(kind="TEST_FAN_OUT")
    with capture(execute=True):
        children = execution_fan_out(
            parent=parent,
            children=[ChildSpec(task="tests.item", kind="TEST_ITEM", lock_key=f"item:{n}") for n in range(count)],
        )
    return parent, children


def end(capture: Any, child: Execution, ok: bool) -> None:
    with capture(execute=True):
        execution_start(execution=child)
        if ok:
            execution_succeed(execution=child)
        else:
            execution_fail(execution=child, error=RuntimeError("HTTP 500"))


def test_one_failed_child_is_queued_again_alone_and_the_parent_reopens_and_closes_again(
    django_capture_on_commit_callbacks: Any, sent: list
) -> None:
    capture = django_capture_on_commit_callbacks
    parent, (first, second, third) = fan_out(capture, 3)
    end(capture, first, ok=True)
    end(capture, second, ok=False)
    end(capture, third, ok=False)
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.PARTIAL
    sent.clear()

    with capture(execute=True):
        retried = execution_retry_failed_child(child=second)

    parent.refresh_from_db()
    third.refresh_from_db()
    assert (retried.status, retried.attempt, retried.error) == (ExecutionStatus.QUEUED, 2, "")
    assert third.status == ExecutionStatus.FAILED and third.attempt == 1
    assert parent.status == ExecutionStatus.RUNNING and parent.finished_at is None
    assert sent == [("tests.item", {"execution_id": second.pk})]
    end(capture, retried, ok=True)
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.PARTIAL and parent.counters["children_failed"] == 1


def test_a_failed_child_of_a_parent_still_running_is_queued_without_closing_it(
    django_capture_on_commit_callbacks: Any, sent: list
) -> None:
    capture = django_capture_on_commit_callbacks
    parent, (first, second) = fan_out(capture, 2)
    end(capture, first, ok=False)

    with capture(execute=True):
        execution_retry_failed_child(child=first)

    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.RUNNING
    end(capture, first, ok=True)
    end(capture, second, ok=True)
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.SUCCEEDED


def test_what_cannot_be_retried_is_refused_and_nothing_changes(
    django_capture_on_commit_callbacks: Any, sent: list
) -> None:
    capture = django_capture_on_commit_callbacks
    parent, (first, second) = fan_out(capture, 2)
    end(capture, first, ok=True)
    with pytest.raises(NothingToRetry, match="Concluída"):
        execution_retry_failed_child(child=first)
    with pytest.raises(NothingToRetry, match="na fila ou em andamento"):
        execution_retry_failed_child(child=second)
    with pytest.raises(NothingToRetry, match="não é um item"):
        execution_retry_failed_child(child=execution_create(kind="ALONE"))


def test_a_failed_child_of_a_cancelled_parent_stays_as_it_is(
    django_capture_on_commit_callbacks: Any, sent: list
) -> None:
    capture = django_capture_on_commit_callbacks
    parent, (first, _second) = fan_out(capture, 2)
    end(capture, first, ok=False)
    with capture(execute=True):
        execution_cancel(execution=parent)  # someone's decision: the still-running item goes with it
    sent.clear()

    with pytest.raises(NothingToRetry, match="Cancelada"):
        execution_retry_failed_child(child=first)

    parent.refresh_from_db()
    first.refresh_from_db()
    assert parent.status == ExecutionStatus.CANCELLED
    assert first.status == ExecutionStatus.FAILED and first.attempt == 1 and not sent
