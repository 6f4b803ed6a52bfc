"""Two real worker processes given the same lock-protected job at once: one runs, one is skipped."""

import pytest
from django_celery_results.models import TaskResult

from orchestration.models import Execution, ExecutionStatus
from orchestration.services.smoke import SMOKE_TEST_KIND
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, send_task, wait_until

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it


@pytest.mark.services
def test_two_workers_given_the_same_locked_job_run_it_once(subprocess_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = redis_broker_env(subprocess_env)
    broker = env["CELERY_BROKER_URL"]
    redis_broker_purge(broker)
    with CeleryProcesses(env, tmp_path / "logs") as celery:
        # One slot each, so each worker takes one of the two messages.
        celery.worker(name="first", concurrency=1)
        celery.worker(name="second", concurrency=1)
        kwargs = {"seconds": 3, "lock_key": "smoke-test-lock"}
        task_ids = [send_task(broker, "orchestration.smoke_test", kwargs) for _ in range(2)]

        def both_finished() -> list[Execution]:
            executions = list(Execution.objects.filter(celery_task_id__in=task_ids))
            return executions if len(executions) == 2 and all(e.is_finished for e in executions) else []

        executions = wait_until(both_finished, timeout=30, what="both executions to finish")

        def both_results() -> list[TaskResult]:
            results = list(TaskResult.objects.filter(task_id__in=task_ids, status="SUCCESS"))
            return results if len(results) == 2 else []

        results = wait_until(both_results, timeout=10, what="both task results")

    by_status = {execution.status: execution for execution in executions}
    assert set(by_status) == {ExecutionStatus.SUCCEEDED, ExecutionStatus.SKIPPED}
    ran, skipped = by_status[ExecutionStatus.SUCCEEDED], by_status[ExecutionStatus.SKIPPED]
    assert ran.kind == skipped.kind == SMOKE_TEST_KIND
    # Skipped because the other one was running at that moment, not because it came after it.
    assert ran.started_at <= skipped.finished_at <= ran.finished_at
    assert "smoke-test-lock" in skipped.log_lines.get().message
    assert ran.counters["steps_done"] == 6
    assert {result.worker.split("@")[0] for result in results} == {"first", "second"}
