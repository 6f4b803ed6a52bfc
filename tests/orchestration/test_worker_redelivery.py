"""A worker killed with SIGKILL in the middle of a task: the broker redelivers the message (acks_late),
and the same Execution resumes and completes once."""

import signal
import time

import pytest
import redis

from orchestration.models import Execution, ExecutionStatus, LogLevel
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, send_task, wait_until

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it

VISIBILITY_TIMEOUT = 5


def unacked_delivery_times(broker_url: str) -> list[float]:
    client = redis.Redis.from_url(broker_url)
    try:
        return [score for _, score in client.zrange("unacked_index", 0, -1, withscores=True)]
    finally:
        client.close()


@pytest.mark.services
def test_a_task_of_a_killed_worker_is_redelivered_and_completes_once(subprocess_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = redis_broker_env(subprocess_env, visibility_timeout=VISIBILITY_TIMEOUT)
    broker = env["CELERY_BROKER_URL"]
    redis_broker_purge(broker)
    with CeleryProcesses(env, tmp_path / "logs") as celery:
        doomed = celery.worker(name="doomed", concurrency=1)
        task_id = send_task(broker, "orchestration.smoke_test", {"seconds": 6, "lock_key": "smoke-redelivery"})

        def halfway() -> Execution | None:
            execution = Execution.objects.filter(celery_task_id=task_id).first()
            return execution if execution and execution.counters.get("steps_done", 0) >= 3 else None

        wait_until(halfway, timeout=30, what="the task to be halfway")
        doomed.kill(signal.SIGKILL)  # main process and pool child: nothing acknowledges or requeues
        interrupted = Execution.objects.get(celery_task_id=task_id)
        assert interrupted.status == ExecutionStatus.RUNNING and interrupted.attempt == 1

        # acks_late: the message is still unacknowledged, kept by the Redis transport with its delivery time.
        delivered_at = unacked_delivery_times(broker)
        assert len(delivered_at) == 1
        # It is handed out again once older than the visibility timeout; a worker restores such messages
        # when it starts (a supervisor restarting the dead worker) and then every ~100 s.
        ripe_at = delivered_at[0] + VISIBILITY_TIMEOUT + 0.5
        wait_until(lambda: time.time() > ripe_at, timeout=VISIBILITY_TIMEOUT + 5, what="the visibility timeout")
        celery.worker(name="replacement", concurrency=1)
        finished = wait_until(
            lambda: Execution.objects.filter(celery_task_id=task_id, status__in=ExecutionStatus.terminal()).first(),
            timeout=40,
            what="the redelivered task to finish",
        )

    assert Execution.objects.filter(celery_task_id=task_id).count() == 1
    assert finished.status == ExecutionStatus.SUCCEEDED
    assert finished.attempt == 2
    assert finished.counters["steps_done"] == 12
    messages = list(finished.log_lines.values_list("level", "message"))
    assert any(level == LogLevel.WARNING and message.startswith("Retomada") for level, message in messages)
    assert any(message.startswith("Continuando do passo") for _, message in messages)
    # Every step was done across the two attempts; only the one in flight when the worker died may repeat.
    steps = [message for _, message in messages if message.startswith("Passo ")]
    assert len(set(steps)) == 12 and len(steps) <= 13
