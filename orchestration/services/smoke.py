"""The smoke test: a job that does nothing but wait, through the whole ledger and worker machinery.

Operators run it to see that a worker picks work up, that the no-overlap lock works (give two runs the
same `lock_key`) and that a run interrupted by a dying worker is resumed; the tests use it for the same.
Progress is saved as a counter after each step, so a redelivered run continues where it stopped.

The fan-out variant (`smoke_test_fan_out_run`) is a parent with one child per simulated item, every
`fail_every`-th of which fails on its first `fail_attempts` attempts: it shows children running side by
side, the parent closing as PARTIAL or FAILED, and a retry of the failed items closing it as SUCCEEDED.
"""

import math
import time
from typing import Any

from celery import Task

from orchestration.models import Execution, Trigger
from orchestration.services.fanout import ChildSpec
from orchestration.services.runner import Job, JobContext, execution_run

SMOKE_TEST_KIND = "SMOKE_TEST"
SMOKE_TEST_FAN_OUT_KIND = "SMOKE_TEST_FAN_OUT"
SMOKE_TEST_ITEM_KIND = "SMOKE_TEST_ITEM"
SMOKE_TEST_ITEM_TASK = "orchestration.smoke_test_item"
SMOKE_TEST_MAX_SECONDS = 240
SMOKE_TEST_MAX_CHILDREN = 1000
STEP_SECONDS = 0.5


class SimulatedFailure(Exception):
    """The failure a smoke-test item was asked to simulate."""


def _clamped_seconds(seconds: Any) -> float:
    return max(0.0, min(float(seconds or 0), SMOKE_TEST_MAX_SECONDS))


def _waiting_job(seconds: float) -> Job:
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

    return job


def smoke_test_run(
    *,
    seconds: float = 0,
    lock_key: str = "",
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
    task: Task | None = None,
) -> Execution:
    seconds = _clamped_seconds(seconds)
    return execution_run(
        kind=SMOKE_TEST_KIND,
        job=_waiting_job(seconds),
        execution_id=execution_id,
        trigger=trigger,
        parameters={"seconds": seconds, "lock_key": lock_key},
        lock_key=lock_key,
        lock_ttl=int(seconds) + 60,
        task=task,
        max_attempts=1,
    )


def smoke_test_item_run(*, execution_id: int, task: Task | None = None) -> Execution:
    """One child of a fan-out smoke test; everything it does is in its stored parameters."""
    parameters = Execution.objects.values_list("parameters", flat=True).get(pk=execution_id)
    seconds = _clamped_seconds(parameters.get("seconds"))
    wait = _waiting_job(seconds)

    def job(context: JobContext) -> None:
        wait(context)
        attempt = context.execution.attempt
        if attempt <= int(parameters.get("fail_attempts", 0)):
            raise SimulatedFailure(f"Falha simulada do item {parameters.get('item')} na tentativa {attempt}.")
        context.set_counters(items_done=1)

    return execution_run(
        kind=SMOKE_TEST_ITEM_KIND,
        job=job,
        execution_id=execution_id,
        lock_ttl=int(seconds) + 60,
        task=task,
        max_attempts=1,
    )


def smoke_test_children(
    *, parent_id: int, children: int, seconds: float = 0, fail_every: int = 0, fail_attempts: int = 1
) -> list[ChildSpec]:
    """Item i (from 1) fails on its first `fail_attempts` attempts when `fail_every` divides it."""
    return [
        ChildSpec(
            task=SMOKE_TEST_ITEM_TASK,
            kind=SMOKE_TEST_ITEM_KIND,
            lock_key=f"smoke-test:{parent_id}:item:{item}",
            parameters={
                "item": item,
                "seconds": seconds,
                "fail_attempts": fail_attempts if fail_every and item % fail_every == 0 else 0,
            },
        )
        for item in range(1, children + 1)
    ]


def smoke_test_fan_out_run(
    *,
    children: int,
    seconds: float = 0,
    fail_every: int = 0,
    fail_attempts: int = 1,
    trigger: str = Trigger.MANUAL,
    execution_id: int | None = None,
    task: Task | None = None,
) -> Execution:
    """A parent that fans out into `children` smoke-test items and is closed by the last of them."""
    children = max(0, min(int(children), SMOKE_TEST_MAX_CHILDREN))
    seconds, fail_every, fail_attempts = _clamped_seconds(seconds), max(0, fail_every), max(0, fail_attempts)

    def job(context: JobContext) -> None:
        specs = smoke_test_children(
            parent_id=context.execution.pk,
            children=children,
            seconds=seconds,
            fail_every=fail_every,
            fail_attempts=fail_attempts,
        )
        context.fan_out(specs)

    return execution_run(
        kind=SMOKE_TEST_FAN_OUT_KIND,
        job=job,
        execution_id=execution_id,
        trigger=trigger,
        parameters={
            "children": children,
            "seconds": seconds,
            "fail_every": fail_every,
            "fail_attempts": fail_attempts,
        },
        task=task,
        max_attempts=1,
    )
