import pytest

from orchestration.exceptions import TransientError
from orchestration.models import ExecutionStatus, LogLevel
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.services.runner import JobContext, execution_run

pytestmark = pytest.mark.django_db


def test_job_lines_counters_and_success_are_recorded() -> None:
    def job(context: JobContext) -> None:
        context.log("primeira")
        context.count(new=2)
        context.count(new=1, updated=4)
        context.log("segunda", level=LogLevel.WARNING)

    execution = execution_run(kind="TEST", job=job)

    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.counters == {"new": 3, "updated": 4}
    messages = list(execution.log_lines.values_list("message", flat=True))
    assert messages[:2] == ["primeira", "segunda"]
    assert execution.started_at is not None and execution.finished_at >= execution.started_at


def test_an_error_fails_the_execution_with_its_message() -> None:
    def job(context: JobContext) -> None:
        raise ValueError("linha 7: valor inválido")

    execution = execution_run(kind="TEST", job=job)

    assert execution.status == ExecutionStatus.FAILED
    assert execution.error == "linha 7: valor inválido"
    assert execution.error_type == "ValueError"
    assert execution.log_lines.filter(level=LogLevel.ERROR).exists()


def test_a_held_lock_records_a_skipped_run_and_does_not_run_the_job() -> None:
    ran = []
    assert lock_acquire(key="exclusive", owner="someone-else", ttl_seconds=60)
    try:
        execution = execution_run(kind="TEST", job=lambda context: ran.append(1), lock_key="exclusive")
    finally:
        lock_release(key="exclusive", owner="someone-else")

    assert execution.status == ExecutionStatus.SKIPPED
    assert ran == []
    assert "exclusive" in execution.log_lines.get().message


def test_the_lock_is_released_after_the_run() -> None:
    execution_run(kind="TEST", job=lambda context: None, lock_key="exclusive")
    assert lock_acquire(key="exclusive", owner="next", ttl_seconds=60)
    lock_release(key="exclusive", owner="next")


def test_transient_error_without_a_task_fails_without_retrying() -> None:
    def job(context: JobContext) -> None:
        raise TransientError("servidor indisponível")

    execution = execution_run(kind="TEST", job=job)
    assert execution.status == ExecutionStatus.FAILED
    assert execution.attempt == 1
