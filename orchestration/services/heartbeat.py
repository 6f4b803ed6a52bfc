"""The heartbeat: one tiny Execution a minute proves that beat schedules and a worker runs."""

from datetime import timedelta

from celery import Task
from django.conf import settings
from django.utils import timezone

from orchestration.models import Execution, Trigger
from orchestration.services.runner import JobContext, execution_run
from orchestration.services.stale_executions import executions_reap_stale

HEARTBEAT_KIND = "HEARTBEAT"


def heartbeats_prune() -> int:
    """Deletes heartbeats older than HEARTBEAT_KEEP_HOURS: 1440 rows a day are noise in the ledger."""
    cutoff = timezone.now() - timedelta(hours=settings.HEARTBEAT_KEEP_HOURS)
    _, per_model = Execution.objects.filter(kind=HEARTBEAT_KIND, created_at__lt=cutoff).delete()
    return per_model.get(Execution._meta.label, 0)


def heartbeat_record(*, trigger: str = Trigger.SCHEDULE, task: Task | None = None) -> Execution:
    def job(context: JobContext) -> None:
        pruned = heartbeats_prune()
        if pruned:
            context.set_counters(pruned=pruned)
        # The heartbeat already runs every minute on a live worker: the right place to end abandoned runs.
        reaped = executions_reap_stale()
        if reaped:
            context.set_counters(abandoned_ended=reaped)
            context.log(f"{reaped} execução(ões) abandonada(s) encerrada(s) como tempo esgotado.")

    return execution_run(kind=HEARTBEAT_KIND, job=job, trigger=trigger, task=task, max_attempts=1)
