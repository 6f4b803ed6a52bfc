"""Fan-out with a real worker (Redis broker, PostgreSQL, two pool processes): fifty children, some failing,
the parent closed by the last of them with the children's counters summed, and a retry of only the failed
ones. Plus the race the close-after-commit design is for: the last two children ending at the same instant
on two connections close the parent exactly once.

One worker serves the whole module (starting one costs seconds); each test still gets a clean database
from `transactional_db`, which the worker only reads and writes between tests' rows."""

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus
from orchestration.services import executions as executions_service
from orchestration.services.executions import execution_create, execution_fail, execution_start, execution_succeed
from orchestration.services.fanout import ChildSpec, execution_fan_out, execution_retry_failed_children
from orchestration.services.smoke import SMOKE_TEST_FAN_OUT_KIND, SMOKE_TEST_ITEM_KIND
from tests.conftest import database_url_for_subprocess
from tests.harness.processes import (
    CeleryProcesses,
    redis_broker_env,
    redis_broker_purge,
    send_task,
    this_process_broker,
    wait_until,
)

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def worker_broker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A worker with two pool processes on the test database; yields its broker URL."""
    var_dir = tmp_path_factory.mktemp("fanout")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url_for_subprocess(),
        "ORQUESTRA_VAR_DIR": str(var_dir / "var"),
        "PYTHONUNBUFFERED": "1",
        "DEMO_SIMULATORS": "0",
    }
    env = redis_broker_env(env)
    broker = env["CELERY_BROKER_URL"]
    redis_broker_purge(broker)
    with CeleryProcesses(env, var_dir / "logs") as celery:
        celery.worker(name="fanout", concurrency=2)
        yield broker


def _closed_parent(broker: str, **kwargs: Any) -> Execution:
    task_id = send_task(broker, "orchestration.smoke_test_fan_out", kwargs)
    return _wait_closed(lambda: Execution.objects.filter(celery_task_id=task_id).first())


def _wait_closed(load: Any, timeout: float = 40) -> Execution:
    def closed() -> Execution | None:
        parent = load()
        return parent if parent is not None and parent.is_finished else None

    return wait_until(closed, timeout=timeout, what="the fan-out parent to close")


def _closing_lines(parent: Execution) -> list[str]:
    return list(parent.log_lines.filter(message__startswith="Encerrada").values_list("message", flat=True))


def _summed(children: list[Execution], name: str) -> int:
    return sum(child.counters.get(name, 0) for child in children)


def test_fifty_children_some_failing_close_the_parent_partial_and_a_retry_reruns_only_the_failed(
    transactional_db: None, worker_broker: str
) -> None:
    parent = _closed_parent(worker_broker, children=50, fail_every=7)

    children = list(parent.children.order_by("id"))
    failed = [child for child in children if child.status == ExecutionStatus.FAILED]
    succeeded = [child for child in children if child.status == ExecutionStatus.SUCCEEDED]
    assert parent.kind == SMOKE_TEST_FAN_OUT_KIND and parent.status == ExecutionStatus.PARTIAL
    assert len(children) == 50 and {child.kind for child in children} == {SMOKE_TEST_ITEM_KIND}
    assert [child.parameters["item"] for child in failed] == [7, 14, 21, 28, 35, 42, 49]
    assert len(succeeded) == 43
    assert len({child.lock_key for child in children}) == 50
    assert parent.counters == {
        "items_done": _summed(children, "items_done"),
        "steps_done": _summed(children, "steps_done"),
        "steps_total": _summed(children, "steps_total"),
        "children_total": 50,
        "children_succeeded": 43,
        "children_partial": 0,
        "children_failed": 7,
        "children_cancelled": 0,
        "children_skipped": 0,
    }
    assert parent.counters["items_done"] == 43
    assert _closing_lines(parent) == ["Encerrada: 43 de 50 itens concluídos; 7 com falha."]
    assert parent.finished_at >= max(child.finished_at for child in children)
    before = {child.pk: (child.attempt, child.finished_at, child.log_lines.count()) for child in succeeded}

    with this_process_broker(worker_broker):
        retried = execution_retry_failed_children(parent=parent)
    assert sorted(child.pk for child in retried) == [child.pk for child in failed]
    parent = _wait_closed(lambda: Execution.objects.get(pk=parent.pk))

    assert parent.status == ExecutionStatus.SUCCEEDED
    assert parent.counters["children_succeeded"] == 50 and parent.counters["children_failed"] == 0
    assert parent.counters["items_done"] == 50
    assert _closing_lines(parent) == [
        "Encerrada: 43 de 50 itens concluídos; 7 com falha.",
        "Encerrada: 50 de 50 itens concluídos.",
    ]
    for child in Execution.objects.filter(pk__in=[c.pk for c in failed]):
        assert child.status == ExecutionStatus.SUCCEEDED and child.attempt == 2
        assert child.log_lines.filter(message__startswith="Nova tentativa solicitada").count() == 1
    # The children that had succeeded were not run again.
    after = {
        child.pk: (child.attempt, child.finished_at, child.log_lines.count())
        for child in Execution.objects.filter(pk__in=before)
    }
    assert after == before


def test_children_that_all_succeed_close_the_parent_succeeded(transactional_db: None, worker_broker: str) -> None:
    parent = _closed_parent(worker_broker, children=6, seconds=0.5)

    assert parent.status == ExecutionStatus.SUCCEEDED
    assert parent.counters["children_succeeded"] == 6 and parent.counters["steps_done"] == 6
    assert _closing_lines(parent) == ["Encerrada: 6 de 6 itens concluídos."]


def test_children_that_all_fail_close_the_parent_failed(transactional_db: None, worker_broker: str) -> None:
    parent = _closed_parent(worker_broker, children=6, fail_every=1)

    assert parent.status == ExecutionStatus.FAILED
    assert parent.counters["children_failed"] == 6 and parent.counters["children_succeeded"] == 0
    assert _closing_lines(parent) == ["Encerrada: 0 de 6 itens concluídos; 6 com falha."]
    assert ExecutionLogLine.objects.filter(execution=parent, level="ERROR").count() == 1


def test_the_last_two_children_ending_in_the_same_instant_close_the_parent_once(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = execution_create(kind="TEST_FAN_OUT")
    specs = [ChildSpec(task="unused", kind="TEST_ITEM", lock_key=f"item:{item}") for item in range(4)]
    with monkeypatch.context() as patched:
        patched.setattr("orchestration.services.fanout._enqueue", lambda *args: None)
        children = execution_fan_out(parent=parent, children=specs)
    for child in children[:2]:
        execution_succeed(execution=execution_start(execution=child))
        Execution.objects.filter(pk=child.pk).update(counters={"records": 10})

    # Both children commit before either checks its parent, so both see every sibling ended and both
    # try to close it: the conditional UPDATE lets exactly one through.
    committed = threading.Barrier(2, timeout=10)
    checking = threading.Barrier(2, timeout=10)
    close = executions_service.execution_close_parent
    closed_by: list[bool] = []

    def close_when_both_committed(*, parent_id: int) -> bool:
        checking.wait()
        result = close(parent_id=parent_id)
        closed_by.append(result)
        return result

    monkeypatch.setattr(executions_service, "execution_close_parent", close_when_both_committed)
    errors: list[BaseException] = []

    def finish(child: Execution, fail: bool) -> None:
        try:
            with transaction.atomic():
                execution_start(execution=child)
                Execution.objects.filter(pk=child.pk).update(counters={"records": 1})
                if fail:
                    execution_fail(execution=child, error="falhou")
                else:
                    execution_succeed(execution=child)
                committed.wait()  # both UPDATEs done, neither committed yet
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=finish, args=(children[2], False)),
        threading.Thread(target=finish, args=(children[3], True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert not errors
    assert sorted(closed_by) == [False, True]
    parent.refresh_from_db()
    assert parent.status == ExecutionStatus.PARTIAL
    assert parent.counters["children_succeeded"] == 3 and parent.counters["children_failed"] == 1
    assert parent.counters["records"] == 22
    assert _closing_lines(parent) == ["Encerrada: 3 de 4 itens concluídos; 1 com falha."]
