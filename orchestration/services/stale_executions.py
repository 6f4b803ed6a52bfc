"""Ends executions whose worker vanished, so the ledger and live viewers are not left waiting forever.

A run can stay RUNNING for good when its worker is killed and the message is not redelivered (the
file-system broker of `make run` drops messages once handed out), or when a hard time limit kills it
(Celery acknowledges the message). Activity is the newer of the start and the last log line, so a long
run that keeps logging is never taken for dead. A fan-out parent is alive while any child is; one whose
children all ended but that stayed open (the worker died between a child's commit and its closing call)
is closed as its last child would have closed it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.models import Execution, ExecutionStatus, RemoteJob, RemoteJobState, Severity
from orchestration.registries.kinds import kind_label
from orchestration.services.alerts import alert_raise
from orchestration.services.executions import ACTIVE_STATUSES, execution_close_parent, execution_fail


def executions_stale(*, now: datetime | None = None) -> list[Execution]:
    now = now or timezone.now()
    running_cutoff = now - timedelta(seconds=settings.EXECUTION_STALE_AFTER_SECONDS)
    queued_cutoff = now - timedelta(seconds=settings.EXECUTION_QUEUED_STALE_AFTER_SECONDS)
    running = (
        Execution.objects.filter(status=ExecutionStatus.RUNNING)
        # A fan-out parent is as alive as its children; once they all ended, parents_left_open closes it.
        .exclude(Exists(Execution.objects.filter(parent_id=OuterRef("pk"))))
        .annotate(last_line_at=Max("log_lines__created_at"))
        .annotate(active_at=Greatest("started_at", Coalesce("last_line_at", "started_at")))
        .filter(active_at__lt=running_cutoff)
    )
    queued = Execution.objects.filter(
        Q(status=ExecutionStatus.QUEUED) | Q(status=ExecutionStatus.RETRYING), created_at__lt=queued_cutoff
    )
    # A run whose work is a remote job (waiting for a slot, or running elsewhere) is the monitor's: the
    # job has its own deadline, and a long queue for the robots is back-pressure, not a lost worker.
    remote = RemoteJob.objects.filter(execution_id=OuterRef("pk"), state__in=RemoteJobState.active())
    return [*running.exclude(Exists(remote)), *queued.exclude(Exists(remote))]


def parents_left_open() -> list[int]:
    """Active fan-out parents whose children have all ended."""
    active_children = Execution.objects.filter(parent_id=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return list(
        Execution.objects.filter(status__in=ACTIVE_STATUSES, children__isnull=False)
        .exclude(Exists(active_children))
        .values_list("pk", flat=True)
        .distinct()
    )


def executions_reap_stale(*, now: datetime | None = None) -> int:
    """Marks stale executions TIMED_OUT with a line that says why; returns how many. First closes the
    fan-out parents a lost closing call left open (not counted: they end as their children say)."""
    for parent_id in parents_left_open():
        execution_close_parent(parent_id=parent_id)
    reaped = 0
    for execution in executions_stale(now=now):
        was = execution.get_status_display()
        ended = execution_fail(
            execution=execution,
            error=f"Execução abandonada: sem atividade desde a situação '{was}'; o worker foi perdido ou "
            "a mensagem expirou.",
            status=ExecutionStatus.TIMED_OUT,
        )
        if ended.status == ExecutionStatus.TIMED_OUT:
            reaped += 1
            alert_timed_out(ended)
    return reaped


def timed_out_fingerprint(kind: str) -> str:
    return f"execution:timed-out:{kind}"


def alert_timed_out(execution: Execution) -> None:
    """One alert per kind whose runs are being abandoned (a lost worker, an expired message); the next run
    of that kind that succeeds resolves it (services.runner)."""
    alert_raise(
        fingerprint=timed_out_fingerprint(execution.kind),
        group="execution:timed-out",
        severity=Severity.CRITICAL,
        title=_("Execução abandonada: %(kind)s") % {"kind": kind_label(execution.kind)},
        details=_("A execução #%(id)d ficou sem atividade e foi encerrada como tempo esgotado.") % {"id": execution.pk},
        group_title=_("Execuções abandonadas em %(count)d tipos de execução"),
        execution=execution,
    )
