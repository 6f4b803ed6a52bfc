"""Orchestration's own periodic tasks, found by `setup_schedules` like every app's `schedules.py`
(the registry is orchestration.registries.schedules)."""

from django.conf import settings

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

REMOTE_JOBS_TICK_TASK = "orchestration.remote_jobs_tick"

register_schedule(
    ScheduleSpec(
        name="orchestration.remote_jobs_tick",
        task=REMOTE_JOBS_TICK_TASK,
        every_seconds=max(1, settings.REMOTE_JOBS_TICK_SECONDS),
        description="Monitor dos jobs remotos (robôs RPA): inicia os que têm vaga, consulta os em andamento, "
        "encerra os vencidos. Entre as consultas os jobs não ocupam worker; esta é a rede de segurança.",
        expire_seconds=max(1, settings.REMOTE_JOBS_TICK_SECONDS),
    )
)

# The invoice pipeline registers its own (a sub-package the shared modules never import).
from orchestration.invoices import schedules as invoices_schedules  # noqa: E402,F401  isort: skip
