"""Fan-out in the ledger, in one process: children made and sent after commit, the parent closed by
whichever way its last child ends, cancel and retry of the failed children, and the API for them.
The real-worker and concurrency tests are in test_fanout_worker.py."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orchestration.exceptions import ValidationFailed
from orchestration.models import Execution, ExecutionStatus, LogLevel, User
from orchestration.services.executions import (
    execution_cancel,
    execution_create,
    execution_fail,
    execution_skip,
    execution_start,
    execution_succeed,
)
from orchestration.services.fanout import (
    ChildSpec,
    NothingToRetry,
    child_rate_limit_key,
    execution_fan_out,
    execution_retry_failed_children,
)
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.services.runner import JobContext, execution_run
from orchestration.services.stale_executions import executions_reap_stale
from orchestration.services.transitions import IllegalTransition

pytestmark = pytest.mark.django_db

EXECUTIONS = "/api/v1/executions/"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], str]]:
    """What would have been published to the broker: (task name, kwargs, task id)."""
    messages: list[tuple[str, dict[str, Any], str]] = []

    def send_task(name: str, kwargs: dict[str, Any], task_id: str) -> None:
        messages.append((name, kwargs, task_id))

    monkeypatch.setattr("orchestration.services.fanout.current_app.send_task", send_task)
    return messages


@pytest.fixture
def fan_out(django_capture_on_commit_callbacks: Any, sent: list) -> Callable[..., tuple[Execution, list[Execution]]]:
    def make(count: int = 3) -> tuple[Execution, list[Execution]]:
        parent = execution_create(kind="TEST_FAN_OUT")
        specs = [
            ChildSpec(task="tests.item", kind="TEST_ITEM", lock_key=f"test:item:{n}", parameters={"n": n})
            for n in range(count)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            children = execution_fan_out(parent=parent, children=specs)
        return parent, children

    return make


def _end(capture: Any, finish: Callable[[], Any]) -> None:
    """Runs `finish` and then what it scheduled for after commit, as outside a test transaction."""
    with capture(execute=True):
        finish()


def _closing_lines(parent: Execution) -> list[str]:
    return list(parent.log_lines.filter(message__startswith="Encerrada").values_list("message", flat=True))


def test_children_are_queued_with_their_own_lock_and_bucket_and_sent_after_commit_by_id(fan_out, sent) -> None:  # type: ignore[no-untyped-def]
    parent, children = fan_out(3)

    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.RUNNING and parent.started_at is not None
    assert [child.status for child in children] == [ExecutionStatus.QUEUED] * 3
    assert [child.lock_key for child in children] == ["test:item:0", "test:item:1", "test:item:2"]
    assert [child_rate_limit_key(child) for child in children] == [child.lock_key for child in children]
    assert all(child.parent_id == parent.pk and child.parameters["n"] == n for n, child in enumerate(children))
    assert sent == [("tests.item", {"execution_id": child.pk}, child.celery_task_id) for child in children]


def test_nothing_is_sent_when_the_transaction_rolls_back(sent) -> None:  # type: ignore[no-untyped-def]
    # No capture: the test transaction never commits, so on_commit callbacks never run.
    execution_fan_out(
        parent=execution_create(kind="TEST_FAN_OUT"), children=[ChildSpec(task="t", kind="K", lock_key="a")]
    )
    assert sent == []


def test_a_parent_with_no_children_closes_at_once(fan_out) -> None:  # type: ignore[no-untyped-def]
    parent, children = fan_out(0)

    parent.refresh_from_db()
    assert children == []
    assert parent.status == ExecutionStatus.SUCCEEDED and parent.finished_at is not None
    assert parent.counters["children_total"] == 0
    assert _closing_lines(parent) == ["Encerrada: nenhum item a processar."]


def test_items_sharing_a_lock_key_are_refused() -> None:
    specs = [ChildSpec(task="t", kind="K", lock_key="same"), ChildSpec(task="t", kind="K", lock_key="same")]
    with pytest.raises(ValidationFailed, match="same"):
        execution_fan_out(parent=execution_create(kind="TEST_FAN_OUT"), children=specs)


def test_a_cancelled_parent_cannot_fan_out() -> None:
    parent = execution_create(kind="TEST_FAN_OUT")
    execution_cancel(execution=parent)
    with pytest.raises(IllegalTransition):
        execution_fan_out(parent=parent, children=[ChildSpec(task="t", kind="K", lock_key="a")])
    assert not parent.children.exists()


def test_a_second_fan_out_of_the_same_parent_returns_its_children(fan_out) -> None:  # type: ignore[no-untyped-def]
    parent, children = fan_out(2)
    again = execution_fan_out(parent=parent, children=[ChildSpec(task="t", kind="K", lock_key="other")])
    assert [child.pk for child in again] == [child.pk for child in children]


def test_the_parent_closes_only_when_its_last_child_ends(fan_out, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    parent, (first, second, third) = fan_out(3)
    Execution.objects.filter(pk=first.pk).update(counters={"created": 2, "note": "x"})
    Execution.objects.filter(pk=second.pk).update(counters={"created": 3, "updated": 1})

    _end(django_capture_on_commit_callbacks, lambda: execution_succeed(execution=execution_start(execution=first)))
    _end(
        django_capture_on_commit_callbacks,
        lambda: execution_fail(execution=execution_start(execution=second), error="x"),
    )
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.RUNNING

    _end(django_capture_on_commit_callbacks, lambda: execution_succeed(execution=execution_start(execution=third)))
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.PARTIAL
    assert parent.counters == {
        "created": 5,
        "updated": 1,
        "children_total": 3,
        "children_succeeded": 2,
        "children_partial": 0,
        "children_failed": 1,
        "children_cancelled": 0,
        "children_skipped": 0,
    }
    assert _closing_lines(parent) == ["Encerrada: 2 de 3 itens concluídos; 1 com falha."]
    assert parent.log_lines.get(message__startswith="Encerrada").level == LogLevel.WARNING


def test_every_way_a_child_ends_counts_for_its_parent(fan_out, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    parent, (skipped, cancelled, abandoned) = fan_out(3)

    _end(django_capture_on_commit_callbacks, lambda: execution_skip(execution=skipped, reason="trava ocupada"))
    _end(django_capture_on_commit_callbacks, lambda: execution_cancel(execution=cancelled))
    Execution.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(days=2))
    _end(django_capture_on_commit_callbacks, executions_reap_stale)

    parent.refresh_from_db()
    assert Execution.objects.get(pk=abandoned.pk).status == ExecutionStatus.TIMED_OUT
    assert parent.status == ExecutionStatus.FAILED  # none of them succeeded
    assert parent.counters["children_skipped"] == 1 and parent.counters["children_cancelled"] == 1
    assert parent.counters["children_failed"] == 1
    assert _closing_lines(parent) == ["Encerrada: 0 de 3 itens concluídos; 1 com falha; 1 cancelado; 1 ignorado."]


def test_the_stale_sweep_closes_a_parent_whose_closing_call_was_lost(fan_out) -> None:  # type: ignore[no-untyped-def]
    parent, children = fan_out(2)
    for child in children:  # no capture: the after-commit closing never runs, as when a worker dies
        execution_succeed(execution=execution_start(execution=child))
    Execution.objects.filter(pk=parent.pk).update(started_at=timezone.now() - timedelta(days=1))

    executions_reap_stale()

    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.SUCCEEDED  # closed as its children say, not timed out


def test_cancelling_a_parent_cancels_its_children_still_to_run(fan_out, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    parent, (done, running, queued) = fan_out(3)
    execution_succeed(execution=execution_start(execution=done))
    execution_start(execution=running)

    _end(django_capture_on_commit_callbacks, lambda: execution_cancel(execution=parent))

    statuses = dict(Execution.objects.filter(parent=parent).values_list("pk", "status"))
    assert statuses == {
        done.pk: ExecutionStatus.SUCCEEDED,
        running.pk: ExecutionStatus.CANCELLED,
        queued.pk: ExecutionStatus.CANCELLED,
    }
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.CANCELLED and not _closing_lines(parent)


def _closed_partial(fan_out, capture) -> tuple[Execution, list[Execution]]:  # type: ignore[no-untyped-def]
    parent, children = fan_out(4)
    ok, failed, timed_out, skipped = children
    _end(capture, lambda: execution_succeed(execution=execution_start(execution=ok)))
    _end(capture, lambda: execution_fail(execution=execution_start(execution=failed), error=ValueError("ruim")))
    _end(capture, lambda: execution_fail(execution=timed_out, error="sem ar", status=ExecutionStatus.TIMED_OUT))
    _end(capture, lambda: execution_skip(execution=skipped, reason="ocupado"))
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.PARTIAL
    return parent, children


def test_retry_requeues_only_the_failed_and_timed_out_children(
    fan_out, sent, django_capture_on_commit_callbacks, operator_user: User
) -> None:  # type: ignore[no-untyped-def]
    parent, (ok, failed, timed_out, skipped) = _closed_partial(fan_out, django_capture_on_commit_callbacks)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        retried = execution_retry_failed_children(parent=parent, user=operator_user)

    assert [child.pk for child in retried] == [failed.pk, timed_out.pk]
    assert parent.status == ExecutionStatus.RUNNING and parent.finished_at is None
    for child in Execution.objects.filter(pk__in=[failed.pk, timed_out.pk]):
        assert child.status == ExecutionStatus.QUEUED and child.attempt == 2
        assert child.error == child.error_type == "" and child.finished_at is None
        assert child.log_lines.last().message == f"Nova tentativa solicitada por {operator_user} (tentativa 2)."
    assert Execution.objects.get(pk=ok.pk).status == ExecutionStatus.SUCCEEDED
    assert Execution.objects.get(pk=skipped.pk).status == ExecutionStatus.SKIPPED
    assert [(kwargs["execution_id"], task_id) for _, kwargs, task_id in sent] == [
        (child.pk, Execution.objects.get(pk=child.pk).celery_task_id) for child in retried
    ]


def test_retry_is_refused_while_the_parent_runs_or_when_nothing_failed(
    fan_out, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    parent, (child,) = fan_out(1)
    with pytest.raises(NothingToRetry, match="em andamento"):
        execution_retry_failed_children(parent=parent)

    _end(django_capture_on_commit_callbacks, lambda: execution_succeed(execution=execution_start(execution=child)))
    parent.refresh_from_db()
    with pytest.raises(NothingToRetry, match="Concluída"):
        execution_retry_failed_children(parent=parent)

    partial = execution_create(kind="TEST_FAN_OUT")
    skipped = execution_create(kind="TEST_ITEM")
    Execution.objects.filter(pk=skipped.pk).update(parent=partial, status=ExecutionStatus.SKIPPED)
    Execution.objects.filter(pk=partial.pk).update(status=ExecutionStatus.PARTIAL)
    partial.refresh_from_db()
    with pytest.raises(NothingToRetry, match="Nenhum item com falha"):
        execution_retry_failed_children(parent=partial)
    partial.refresh_from_db()
    assert partial.status == ExecutionStatus.PARTIAL  # the reopening was rolled back


def test_a_job_that_fans_out_leaves_its_execution_to_its_children(sent) -> None:  # type: ignore[no-untyped-def]
    def job(context: JobContext) -> None:
        context.fan_out([ChildSpec(task="tests.item", kind="TEST_ITEM", lock_key="job:item:1")])

    parent = execution_run(kind="TEST_FAN_OUT", job=job)

    assert parent.status == ExecutionStatus.RUNNING
    assert parent.children.get().lock_key == "job:item:1"


def test_a_child_run_takes_its_stored_lock_key_and_bucket(fan_out) -> None:  # type: ignore[no-untyped-def]
    _, (child,) = fan_out(1)
    seen: dict[str, str] = {}

    def job(context: JobContext) -> None:
        seen.update(lock=context.execution.lock_key, bucket=context.rate_limit_key)

    assert lock_acquire(key=child.lock_key, owner="someone-else", ttl_seconds=60)
    try:
        skipped = execution_run(kind="TEST_ITEM", job=job, execution_id=child.pk)
    finally:
        lock_release(key=child.lock_key, owner="someone-else")
    assert skipped.status == ExecutionStatus.SKIPPED and not seen  # the item's lock was held: not run twice


# API


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_retries_the_failed_items_of_a_parent(
    fan_out, sent, django_capture_on_commit_callbacks, operator_user: User
) -> None:  # type: ignore[no-untyped-def]
    parent, (_, failed, timed_out, _) = _closed_partial(fan_out, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(operator_user).post(f"{EXECUTIONS}{parent.pk}/retry-failed/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == ExecutionStatus.RUNNING and body["children_count"] == 4
    assert body["children_url"].endswith(f"{EXECUTIONS}?parent={parent.pk}")
    assert {kwargs["execution_id"] for _, kwargs, _ in sent[-2:]} == {failed.pk, timed_out.pk}

    again = _client(operator_user).post(f"{EXECUTIONS}{parent.pk}/retry-failed/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "em andamento" in again.json()["error"]["message"]


def test_retry_failed_needs_a_signed_in_user_and_an_existing_execution(operator_user: User) -> None:
    assert APIClient().post(f"{EXECUTIONS}1/retry-failed/").status_code in (401, 403)
    assert _client(operator_user).post(f"{EXECUTIONS}999999/retry-failed/").status_code == 404


def test_the_list_filters_by_parent_and_shows_it(fan_out, operator_user: User) -> None:  # type: ignore[no-untyped-def]
    parent, children = fan_out(2)
    execution_create(kind="UNRELATED")

    response = _client(operator_user).get(EXECUTIONS, {"parent": parent.pk})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert sorted(row["id"] for row in rows) == sorted(child.pk for child in children)
    assert {row["parent"] for row in rows} == {parent.pk}
    assert _client(operator_user).get(EXECUTIONS, {"parent": "x"}).status_code == 400


def test_each_child_is_linked_to_its_item(django_capture_on_commit_callbacks: Any, sent: list, make_user: Any) -> None:
    items = [make_user(email=f"item{n}@example.com") for n in range(2)]
    parent = execution_create(kind="TEST_FAN_OUT")
    specs = [ChildSpec(task="t", kind="K", lock_key=f"item:{item.pk}", subject=item) for item in items]

    with django_capture_on_commit_callbacks(execute=True):
        children = execution_fan_out(parent=parent, children=specs)

    assert [Execution.objects.get(pk=child.pk).subject for child in children] == items
    assert parent.subject is None
