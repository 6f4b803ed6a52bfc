import pytest
from celery import Task, shared_task

from orchestration.exceptions import TransientError
from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger
from orchestration.services.executions import execution_cancel, execution_create, execution_log, execution_start
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


def test_a_cancel_seen_at_a_checkpoint_stops_the_job() -> None:
    steps: list[int] = []

    def job(context: JobContext) -> None:
        for step in range(3):
            context.checkpoint()
            steps.append(step)
            if step == 1:
                execution_cancel(execution=Execution.objects.get(pk=context.execution.pk))

    execution = execution_run(kind="TEST", job=job)

    assert execution.status == ExecutionStatus.CANCELLED
    assert steps == [0, 1]
    assert not execution.log_lines.filter(message__startswith="Encerrada").exists()


def test_a_cancel_after_the_last_checkpoint_is_not_overwritten_by_success() -> None:
    def job(context: JobContext) -> None:
        execution_cancel(execution=Execution.objects.get(pk=context.execution.pk))

    execution = execution_run(kind="TEST", job=job)

    assert execution.status == ExecutionStatus.CANCELLED
    assert Execution.objects.get(pk=execution.pk).status == ExecutionStatus.CANCELLED
    assert not execution.log_lines.filter(message__startswith="Encerrada").exists()


def test_an_error_after_a_cancel_keeps_cancelled_and_logs_the_error() -> None:
    def job(context: JobContext) -> None:
        execution_cancel(execution=Execution.objects.get(pk=context.execution.pk))
        raise ValueError("quebrou depois do cancelamento")

    execution = execution_run(kind="TEST", job=job)

    assert Execution.objects.get(pk=execution.pk).status == ExecutionStatus.CANCELLED
    assert execution.log_lines.filter(level=LogLevel.ERROR, message="quebrou depois do cancelamento").exists()


def test_a_cancel_landing_while_the_worker_starts_the_run_wins() -> None:
    execution = execution_create(kind="TEST", trigger=Trigger.MANUAL)
    execution_cancel(execution=Execution.objects.get(pk=execution.pk))  # `execution` is now stale: QUEUED

    execution_start(execution=execution)

    assert execution.status == ExecutionStatus.CANCELLED
    assert Execution.objects.get(pk=execution.pk).status == ExecutionStatus.CANCELLED


@shared_task(bind=True, name="tests.runner.flaky_job", soft_time_limit=10, time_limit=20)
def flaky_job(self: Task, cancel_first: bool = False, execution_id: int | None = None) -> int:
    def job(context: JobContext) -> None:
        if cancel_first:
            execution_cancel(execution=Execution.objects.get(pk=context.execution.pk))
        raise TransientError("servidor indisponível")

    return execution_run(kind="TEST_FLAKY", job=job, task=self, execution_id=execution_id, max_attempts=2).pk


def test_a_transient_error_retries_the_task_in_the_same_execution() -> None:
    flaky_job.apply(kwargs={}, task_id="flaky-1")

    execution = Execution.objects.get(kind="TEST_FLAKY")
    assert execution.status == ExecutionStatus.FAILED
    assert execution.attempt == 2
    assert execution.log_lines.filter(level=LogLevel.WARNING, message__contains="Nova tentativa").count() == 1


def test_a_transient_error_after_a_cancel_does_not_retry() -> None:
    flaky_job.apply(kwargs={"cancel_first": True}, task_id="flaky-2")

    execution = Execution.objects.get(kind="TEST_FLAKY")
    assert execution.status == ExecutionStatus.CANCELLED
    assert execution.attempt == 1
    assert not execution.log_lines.filter(message__contains="Nova tentativa").exists()


def test_a_job_that_lost_its_lock_to_another_run_stops_instead_of_running_twice() -> None:
    def job(context: JobContext) -> None:
        context.log("antes")
        lock_release(key="exclusive", owner=str(context.execution.pk))
        assert lock_acquire(key="exclusive", owner="intruder", ttl_seconds=60)
        context.lock_ttl = 3
        context._lock_renewed_at -= 2  # past a third of the lock's lifetime: the next line renews it
        context.log("depois")

    execution = execution_run(kind="TEST", job=job, lock_key="exclusive", lock_ttl=3)
    lock_release(key="exclusive", owner="intruder")

    assert execution.status == ExecutionStatus.FAILED
    assert execution.error_type == "LockLost"
    assert "exclusive" in execution.error


@pytest.mark.django_db(transaction=True)  # the lock is freed after the cancel commits
def test_a_cancel_frees_the_lock_at_once_and_no_later_unit_of_work_commits() -> None:
    committed: list[str] = []

    def job(context: JobContext) -> None:
        with context.atomic():
            committed.append("page 1")
            execution_log(execution=context.execution, message="page 1")
        # Someone cancels from the API while the job is between two pages.
        assert execution_cancel(execution=Execution.objects.get(pk=context.execution.pk))
        assert lock_acquire(key="cancel-test", owner="the-next-run", ttl_seconds=5), "the lock is free at once"
        lock_release(key="cancel-test", owner="the-next-run")
        with context.atomic():
            committed.append("page 2")
            execution_log(execution=context.execution, message="page 2")

    execution = execution_run(kind="TEST", job=job, lock_key="cancel-test")

    assert execution.status == ExecutionStatus.CANCELLED
    assert committed == ["page 1"]
    assert not execution.log_lines.filter(message="page 2").exists()
