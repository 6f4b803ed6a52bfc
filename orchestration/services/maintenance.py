"""The source's housekeeping jobs as runs of the ledger: purge of old executions and a database backup
(each scheduled daily and also a command), and the restore of a backup (a command only)."""

from typing import Any

from celery import Task
from django.conf import settings

from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger
from orchestration.services.backups import (
    DATABASE_BACKUP_KIND,
    DATABASE_RESTORE_KIND,
    backups_prune,
    database_backup,
    database_restore,
)
from orchestration.services.executions import (
    execution_create,
    execution_fail,
    execution_log,
    execution_start,
    execution_succeed,
)
from orchestration.services.ledger_retention import LEDGER_PURGE_KIND, executions_purge
from orchestration.services.runner import JobContext, execution_run


def ledger_purge_run(
    *, trigger: str = Trigger.SCHEDULE, task: Task | None = None, days: int | None = None
) -> Execution:
    days = settings.EXECUTION_RETENTION_DAYS if days is None else days

    def job(context: JobContext) -> None:
        if days <= 0:
            context.log("Retenção desligada (EXECUTION_RETENTION_DAYS=0): nada apagado.")
            return
        totals = executions_purge(days=days)
        context.set_counters(executions_deleted=totals.executions, log_lines_deleted=totals.log_lines)
        cutoff = totals.cutoff.strftime("%d/%m/%Y %H:%M") if totals.cutoff else ""
        context.log(
            f"Apagadas {totals.executions} execução(ões) e {totals.log_lines} linha(s) de log anteriores a "
            f"{cutoff} ({days} dias); o que um alerta aberto ou uma execução distribuída em andamento usa foi mantido."
        )

    return execution_run(
        kind=LEDGER_PURGE_KIND,
        job=job,
        trigger=trigger,
        task=task,
        parameters={"days": days},
        lock_key="ledger-purge",
        max_attempts=1,
    )


def database_backup_run(*, trigger: str = Trigger.SCHEDULE, task: Task | None = None) -> Execution:
    def job(context: JobContext) -> None:
        result = database_backup()
        context.set_counters(size_bytes=result.size, key=result.key, sha256=result.sha256)
        context.log(f"Backup salvo em {result.key} ({result.size} bytes, SHA-256 {result.sha256}).")
        pruned = backups_prune()
        if pruned:
            context.set_counters(pruned=len(pruned))
            context.log(f"{len(pruned)} backup(s) com mais de {settings.BACKUP_KEEP_DAYS} dias apagado(s).")

    return execution_run(
        kind=DATABASE_BACKUP_KIND,
        job=job,
        trigger=trigger,
        task=task,
        lock_key="database-backup",
        lock_ttl=3600,
        max_attempts=1,
    )


def database_restore_run(*, key: str, target: dict[str, Any] | None = None, user: Any = None) -> Execution:
    """Restores `key` into `target` (another database) or, without one, into this very database. A restore
    over this database replaces the ledger too, so its run is written afterwards, into the restored one."""
    parameters = {"key": key, "target": str(target["NAME"]) if target else "default"}
    if target is not None:

        def job(context: JobContext) -> None:
            database_restore(key=key, target=target)
            context.log(f"Backup {key} restaurado no banco {target['NAME']}.")

        return execution_run(
            kind=DATABASE_RESTORE_KIND, job=job, trigger=Trigger.MANUAL, parameters=parameters, max_attempts=1
        )
    error: Exception | None = None
    try:
        database_restore(key=key)
    except Exception as failure:  # recorded below, then raised to the caller
        error = failure
    execution = execution_create(kind=DATABASE_RESTORE_KIND, trigger=Trigger.MANUAL, parameters=parameters, user=user)
    execution_start(execution=execution)
    if error is not None:
        execution_fail(execution=execution, error=error)
        return execution
    execution_log(execution=execution, level=LogLevel.WARNING, message=f"Banco restaurado a partir de {key}.")
    # The dump was taken while its own backup run was RUNNING; that run did finish (its file is what was
    # restored), so it is closed here rather than left for the stale sweep to time out and alert about.
    for backup in Execution.objects.filter(kind=DATABASE_BACKUP_KIND, status=ExecutionStatus.RUNNING):
        execution_log(execution=backup, message=f"Concluída antes da restauração (execução #{execution.pk}).")
        execution_succeed(execution=backup)
    execution_succeed(execution=execution)
    return execution


def finished_well(execution: Execution) -> bool:
    return execution.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL)
