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

DELIVER_NOTIFICATIONS_TASK = "orchestration.deliver_notifications"

register_schedule(
    ScheduleSpec(
        name="orchestration.deliver_notifications",
        task=DELIVER_NOTIFICATIONS_TASK,
        every_seconds=30,
        description="Agrupa os alertas em notificações e envia as pendentes (e-mail, webhook), com novas tentativas.",
        expire_seconds=25,
    )
)
