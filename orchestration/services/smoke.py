"""The smoke test: a job that does nothing but wait, through the whole ledger and worker machinery.

Operators run it to see that a worker picks work up, that the no-overlap lock works (give two runs the
same `lock_key`) and that a run interrupted by a dying worker is resumed; the tests use it for the same.
Progress is saved as a counter after each step, so a redelivered run continues where it stopped.
"""

import math
import time

from celery import Task

from orchestration.models import Execution, Trigger
from orchestration.services.runner import JobContext, execution_run

SMOKE_TEST_KIND = "SMOKE_TEST"
SMOKE_TEST_MAX_SECONDS = 240
STEP_SECONDS = 0.5


def smoke_test_run(
    *,
    seconds: float = 0,
    lock_key: str = "",
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
    task: Task | None = None,
) -> Execution:
    seconds = max(0.0, min(float(seconds), SMOKE_TEST_MAX_SECONDS))
    steps = math.ceil(seconds / STEP_SECONDS)

    def job(context: JobContext) -> None:
        done = int(context.execution.counters.get("steps_done", 0))
        if done:
            context.log(f"Continuando do passo {done} de {steps}.")
        for step in range(done + 1, steps + 1):
            context.checkpoint()
            time.sleep(STEP_SECONDS)
            # Logged before it is counted: a run killed in between repeats the step rather than lose it.
            context.log(f"Passo {step} de {steps}.")
            context.set_counters(steps_done=step)
        context.set_counters(steps_done=steps, steps_total=steps)

    return execution_run(
        kind=SMOKE_TEST_KIND,
        job=job,
        execution_id=execution_id,
        trigger=trigger,
        parameters={"seconds": seconds, "lock_key": lock_key},
        lock_key=lock_key,
        lock_ttl=int(seconds) + 60,
        task=task,
        max_attempts=1,
    )
