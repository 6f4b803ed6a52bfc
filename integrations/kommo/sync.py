"""The Kommo sync as a fan-out in the ledger: one parent execution (KOMMO_SYNC) reads the master once and
hands every selected replica to its own child execution (KOMMO_REPLICA_SYNC, subject = the account).

A child plans (read the replica, compare with the master's snapshot and the stored ID mapping) and, unless
it is a dry run, applies exactly that plan. At most KOMMO_CONCURRENCY children work at once, across every
worker (slots in the shared lock service); each account's requests share one rate-limit bucket. One
replica that fails — revoked grant, a limit, an error of Kommo — fails alone and its name goes to the
parent's log; the parent then ends PARTIAL, and a retry of the failed children runs only them.

Children run in Celery workers, or in the foreground (`sync_kommo`, the bench): then the command runs them
in a thread pool and marks them so (`local_attempt`), and the worker that receives their message leaves
them alone; a later retry of failed children from the admin or the API goes to the workers again."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from celery import Task
from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.kommo.accounts import mappings_get, mappings_store, master_get, replicas_selected
from integrations.kommo.apply import plan_apply
from integrations.kommo.client import rate_limit_key
from integrations.kommo.exceptions import KommoLimitExceeded, KommoNotConfigured
from integrations.kommo.models import KommoAccount, KommoMasterSnapshot, KommoReplicaReport, SyncType
from integrations.kommo.plan import replica_plan
from integrations.kommo.snapshot import AccountConfiguration, configuration_read
from integrations.kommo.tokens import kommo_client
from orchestration.exceptions import ExecutionCancelled, ValidationFailed
from orchestration.models import Execution, ExecutionStatus, LogLevel, Trigger, User
from orchestration.outbound import LogFn
from orchestration.services.executions import execution_create, execution_log
from orchestration.services.fanout import ChildSpec, execution_retry_failed_children
from orchestration.services.locks import lock_acquire, lock_release
from orchestration.services.runner import JobContext, execution_run

SYNC_KIND = "KOMMO_SYNC"
REPLICA_KIND = "KOMMO_REPLICA_SYNC"
SYNC_TASK = "integrations.kommo_sync"
REPLICA_TASK = "integrations.kommo_replica_sync"
SLOT_TTL_SECONDS = 30 * 60
REPLICA_MAX_ATTEMPTS = 3
ACTIVE = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)


def client_log(context: JobContext) -> LogFn:
    def log(message: str, level: str) -> None:
        if level != LogLevel.DEBUG:
            context.log(message, level)

    return log


def kommo_sync_create(
    *,
    sync_type: str,
    dry_run: bool = False,
    accounts: list[str] | None = None,
    prune: bool = False,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
    local: bool = False,
) -> Execution:
    """Validates and records a QUEUED sync; the caller runs it (worker or foreground)."""
    if sync_type not in SyncType.values:
        raise ValidationFailed(
            _("Tipo de sincronização inválido: “%(value)s” (use full, pipelines ou custom_fields).")
            % {"value": sync_type}
        )
    master_get()
    subdomains = list(replicas_selected(accounts).values_list("subdomain", flat=True)) if accounts else []
    parameters = {"sync_type": sync_type, "dry_run": bool(dry_run), "accounts": subdomains, "prune": bool(prune)}
    if local:
        parameters["local"] = True
    return execution_create(
        kind=SYNC_KIND, trigger=trigger, parameters=parameters, user=user, ip=ip, user_agent=user_agent
    )


def _parent_job(context: JobContext) -> None:
    parameters = context.execution.parameters
    sync_type = parameters["sync_type"]
    master = master_get()
    replicas = list(replicas_selected(parameters.get("accounts") or None))
    context.log(
        _("Lendo a conta mestre %(master)s (%(type)s) para %(count)d réplicas%(dry)s.")
        % {
            "master": master.subdomain,
            "type": sync_type,
            "count": len(replicas),
            "dry": _(" — simulação, nada será gravado") if parameters.get("dry_run") else "",
        }
    )
    with kommo_client(master, client_log(context)) as client:
        configuration = configuration_read(client, sync_type)
    snapshot = KommoMasterSnapshot.objects.create(
        execution=context.execution, master=master, data=configuration.as_json()
    )
    local_attempt = 1 if parameters.get("local") else 0
    context.fan_out(
        ChildSpec(
            task=REPLICA_TASK,
            kind=REPLICA_KIND,
            lock_key=f"kommo:replica:{replica.subdomain}",
            rate_limit_key=rate_limit_key(replica.subdomain),
            parameters={
                "account_id": replica.pk,
                "subdomain": replica.subdomain,
                "snapshot_id": snapshot.pk,
                "sync_type": sync_type,
                "dry_run": bool(parameters.get("dry_run")),
                "prune": bool(parameters.get("prune")),
                "local_attempt": local_attempt,
            },
            subject=replica,
        )
        for replica in replicas
    )


def kommo_sync_run(*, execution_id: int, task: Task | None = None) -> Execution:
    return execution_run(kind=SYNC_KIND, job=_parent_job, execution_id=execution_id, task=task, max_attempts=3)


def kommo_sync_scheduled_run(*, sync_type: str = SyncType.FULL, task: Task | None = None) -> Execution | None:
    """The schedule's run, in the worker that received it; nothing when no master is registered yet."""
    try:
        execution = kommo_sync_create(sync_type=sync_type, trigger=Trigger.SCHEDULE)
    except KommoNotConfigured:
        return None
    return kommo_sync_run(execution_id=execution.pk, task=task)


@contextmanager
def concurrency_slot(context: JobContext) -> Iterator[None]:
    """One of KOMMO_CONCURRENCY slots shared by every worker; waits (checking for a cancel) until one frees."""
    owner = f"kommo-slot:{context.execution.pk}"
    while True:
        for number in range(settings.KOMMO_CONCURRENCY):
            key = f"kommo:slot:{number}"
            if lock_acquire(key=key, owner=owner, ttl_seconds=SLOT_TTL_SECONDS):
                try:
                    yield
                finally:
                    lock_release(key=key, owner=owner)
                return
        context.checkpoint()
        time.sleep(0.05)


def _report_save(execution: Execution, account: KommoAccount, dry_run: bool, plan: Any, errors: list[Any]) -> None:
    KommoReplicaReport.objects.update_or_create(
        execution=execution, defaults={"account": account, "dry_run": dry_run, "plan": plan, "errors": errors}
    )


def _replica_work(context: JobContext, account: KommoAccount) -> None:
    parameters = context.execution.parameters
    snapshot = KommoMasterSnapshot.objects.get(pk=parameters["snapshot_id"])
    master = AccountConfiguration.from_json(snapshot.data)
    dry_run = bool(parameters.get("dry_run"))
    with concurrency_slot(context), kommo_client(account, client_log(context)) as client:
        replica = configuration_read(client, parameters["sync_type"])
        context.checkpoint()
        plan = replica_plan(master, replica, mappings_get(account), prune=bool(parameters.get("prune")))
        if plan.limit_errors:
            _report_save(context.execution, account, dry_run, plan.as_json(), [{"error": e} for e in plan.limit_errors])
            raise KommoLimitExceeded(
                _("Réplica %(subdomain)s: nada foi gravado. %(errors)s")
                % {"subdomain": account.subdomain, "errors": " ".join(plan.limit_errors)}
            )
        if dry_run:
            _report_save(context.execution, account, True, plan.as_json(), [])
            context.set_counters(**plan.counts())
            context.log(_("Simulação: %(counts)s.") % {"counts": _counts_text(plan.counts())})
            return
        result = plan_apply(client, plan)
    with context.atomic():
        mappings_store(account, result.mappings)
        _report_save(context.execution, account, False, plan.as_json(), result.errors)
    context.set_counters(**result.counters)
    for error in result.errors:
        context.log(f"{error['object']} “{error['name']}”: {error['error']}", LogLevel.WARNING)
    context.partial = bool(result.errors)
    context.log(
        _("Réplica %(subdomain)s: %(counts)s.")
        % {"subdomain": account.subdomain, "counts": _counts_text(result.counters)}
    )


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(counts.items())) or "-"


def _replica_job(context: JobContext) -> None:
    account = KommoAccount.objects.get(pk=context.execution.parameters["account_id"])
    try:
        _replica_work(context, account)
    except ExecutionCancelled:
        raise
    except Exception as error:
        # Named on the parent while it is still open, so its log says which replicas failed and why.
        if context.execution.parent_id:
            execution_log(
                execution=Execution(pk=context.execution.parent_id),
                level=LogLevel.WARNING,
                message=_("Réplica %(subdomain)s falhou: %(error)s") % {"subdomain": account.subdomain, "error": error},
            )
        raise


def kommo_replica_sync_run(*, execution_id: int, task: Task | None = None, local: bool = False) -> Execution:
    """Runs one replica's child. A worker leaves alone a child that a foreground command runs."""
    execution = Execution.objects.get(pk=execution_id)
    if not local and execution.parameters.get("local_attempt") == execution.attempt:
        return execution
    execution = execution_run(
        kind=REPLICA_KIND, job=_replica_job, execution_id=execution_id, task=task, max_attempts=REPLICA_MAX_ATTEMPTS
    )
    if not execution.parameters.get("dry_run") and execution.is_finished:
        KommoAccount.objects.filter(pk=execution.parameters["account_id"]).update(
            last_sync_status=execution.status, last_sync_at=execution.finished_at or timezone.now()
        )
    return execution


def kommo_sync_retry_failed(*, parent: Execution, user: User | None = None, local: bool = False) -> list[Execution]:
    """Queues again only the failed replicas of `parent` (against the master as that run read it)."""
    with transaction.atomic():
        retried = execution_retry_failed_children(parent=parent, user=user)
        for child in retried:
            child.refresh_from_db()
            local_attempt = child.attempt if local else 0
            Execution.objects.filter(pk=child.pk).update(
                parameters={**child.parameters, "local_attempt": local_attempt}
            )
    return retried


def last_real_sync() -> Execution | None:
    """The latest sync that was not a dry run: the one whose failed replicas `--failed-only` re-runs."""
    return Execution.objects.filter(kind=SYNC_KIND, parameters__dry_run=False).order_by("-created_at", "-id").first()


ChildDone = Callable[[Execution], None]


def _run_local_child(execution_id: int, on_done: ChildDone | None) -> None:
    close_old_connections()
    try:
        child = kommo_replica_sync_run(execution_id=execution_id, local=True)
        if on_done is not None:
            on_done(child)
    finally:
        connections.close_all()


def kommo_children_run_local(parent: Execution, on_done: ChildDone | None = None) -> Execution:
    """Runs the parent's queued children here, KOMMO_CONCURRENCY at a time; returns the parent, closed."""
    ids = list(parent.children.filter(status=ExecutionStatus.QUEUED).order_by("id").values_list("id", flat=True))
    with ThreadPoolExecutor(max_workers=settings.KOMMO_CONCURRENCY, thread_name_prefix="kommo") as pool:
        for future in [pool.submit(_run_local_child, pk, on_done) for pk in ids]:
            future.result()
    parent.refresh_from_db()
    return parent


def kommo_sync_foreground(parent: Execution, on_done: ChildDone | None = None) -> Execution:
    """The whole sync in this process: the parent (master read, fan-out), then its children."""
    parent = kommo_sync_run(execution_id=parent.pk)
    if parent.status not in ACTIVE:
        return parent
    return kommo_children_run_local(parent, on_done)
