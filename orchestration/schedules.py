"""Orchestration's own periodic tasks, found by `setup_schedules` like every app's `schedules.py`
(the registry is orchestration.registries.schedules)."""

from orchestration.registries.schedules import ScheduleSpec, register_schedule

HEARTBEAT_TASK = "orchestration.heartbeat"

register_schedule(
    ScheduleSpec(
        name="orchestration.heartbeat",
        task=HEARTBEAT_TASK,
        every_seconds=60,
        description="Registra uma execução HEARTBEAT por minuto; /healthz acusa falha se ela parar.",
        expire_seconds=50,
    )
)
