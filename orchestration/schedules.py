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

PURGE_LEDGER_TASK = "orchestration.purge_ledger"

register_schedule(
    ScheduleSpec(
        name="orchestration.purge_ledger",
        task=PURGE_LEDGER_TASK,
        crontab="30 3 * * *",
        description="Apaga execuções e linhas de log mais antigas que EXECUTION_RETENTION_DAYS (todo dia, 03:30).",
        expire_seconds=6 * 3600,
    )
)

BACKUP_DATABASE_TASK = "orchestration.backup_database"

register_schedule(
    ScheduleSpec(
        name="orchestration.backup_database",
        task=BACKUP_DATABASE_TASK,
        crontab="0 2 * * *",
        description="Backup do banco de dados no armazenamento, em backups/ (todo dia, 02:00).",
        expire_seconds=6 * 3600,
    )
)

# The invoice pipeline's schedules live in its own sub-package.
from orchestration.invoices import schedules as invoices_schedules  # noqa: E402, F401  isort: skip
