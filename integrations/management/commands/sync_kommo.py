"""`manage.py sync_kommo --type full|pipelines|custom_fields [--dry-run] [--failed-only] [--account SUB ...]
[--prune]`: the master → replicas sync in the foreground (replicas in parallel, KOMMO_CONCURRENCY at a time)
with a progress bar, then one line per replica. Exits 0 only when every replica succeeded."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from integrations.kommo.exceptions import KommoError
from integrations.kommo.models import KommoReplicaReport, SyncType
from integrations.kommo.sync import (
    kommo_children_run_local,
    kommo_sync_create,
    kommo_sync_foreground,
    kommo_sync_retry_failed,
    last_real_sync,
)
from orchestration.exceptions import ValidationFailed
from orchestration.interrupts import Interrupted, interruptible
from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.services.fanout import NothingToRetry

COUNTED = ("created", "updated", "unchanged", "failed", "extra", "deleted")
PLANNED = ("create", "update", "unchanged", "conflict", "extra", "delete")


class Command(BaseCommand):
    help = "Sincroniza funis, etapas e campos personalizados da conta Kommo mestre para as réplicas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="sync_type", choices=SyncType.values, default=SyncType.FULL)
        parser.add_argument("--dry-run", action="store_true", help="mostra o plano de cada réplica sem gravar")
        parser.add_argument(
            "--failed-only", action="store_true", help="repete só as réplicas que falharam na última sincronização"
        )
        parser.add_argument("--account", action="append", metavar="SUBDOMINIO", help="só estas réplicas (repetível)")
        parser.add_argument("--prune", action="store_true", help="apaga nas réplicas o que não existe na mestre")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with interruptible():
                parent = self._run(options)
        except Interrupted as interruption:
            raise CommandError(interruption.message(), returncode=interruption.exit_code) from None
        except (ValidationFailed, KommoError) as error:
            raise CommandError(str(error)) from None
        if parent is not None:
            self._report(parent)

    def _run(self, options: dict[str, Any]) -> Execution | None:
        if options["failed_only"]:
            return self._failed_only()
        parent = kommo_sync_create(
            sync_type=options["sync_type"],
            dry_run=options["dry_run"],
            accounts=options["account"],
            prune=options["prune"],
            trigger=Trigger.MANUAL,
            user_agent="manage.py sync_kommo",
            local=True,
        )
        with tqdm(file=self.stderr._out, dynamic_ncols=True, desc="Kommo", unit=" réplica") as bar:
            return kommo_sync_foreground(parent, on_done=lambda child: bar.update(1))

    def _failed_only(self) -> Execution | None:
        parent = last_real_sync()
        if parent is None:
            self.stdout.write(_("Nenhuma sincronização anterior para repetir."))
            return None
        try:
            retried = kommo_sync_retry_failed(parent=parent, local=True)
        except NothingToRetry as error:
            message = _("Execução #%(id)d: %(reason)s") % {"id": parent.pk, "reason": error}
            parent.refresh_from_db()
            if parent.status != ExecutionStatus.SUCCEEDED:
                raise CommandError(message) from None  # still running, or cancelled: not "every replica succeeded"
            self.stdout.write(message)
            return None
        with tqdm(file=self.stderr._out, dynamic_ncols=True, desc="Kommo", total=len(retried), unit=" réplica") as bar:
            return kommo_children_run_local(parent, on_done=lambda child: bar.update(1))

    def _report(self, parent: Execution) -> None:
        children = parent.children.order_by("id")
        reports = {r.execution_id: r for r in KommoReplicaReport.objects.filter(execution__in=children)}
        dry_run = bool(parent.parameters.get("dry_run"))
        for child in children:
            subdomain = child.parameters.get("subdomain", "?")
            counters = child.counters or {}
            names = PLANNED if dry_run else COUNTED
            parts = []
            for kind in ("pipelines", "stages", "fields"):
                values = [f"{name} {counters[f'{kind}_{name}']}" for name in names if counters.get(f"{kind}_{name}")]
                if values:
                    parts.append(f"{kind}: " + ", ".join(values))
            line = f"{subdomain}: {child.get_status_display()}" + (" — " + "; ".join(parts) if parts else "")
            if child.error:
                line += f" — {child.error}"
            self.stdout.write(line)
            report = reports.get(child.pk)
            if dry_run and report is not None:
                for row in report.plan:
                    if row["action"] not in ("unchanged",):
                        where = row.get("pipeline") or row.get("entity") or ""
                        self.stdout.write(
                            f"    {row['action']:9} {row['object']:8} {row['name']}" + (f" ({where})" if where else "")
                        )
            for error in report.errors if report is not None else []:
                self.stdout.write(f"    ! {error.get('object', '')} {error.get('name', '')}: {error.get('error', '')}")
        if parent.error:
            self.stdout.write(parent.error)
        self.stdout.write(_("Execução #%(id)d: %(status)s.") % {"id": parent.pk, "status": parent.get_status_display()})
        if parent.status != ExecutionStatus.SUCCEEDED:
            raise CommandError(
                _("Nem todas as réplicas foram sincronizadas (%(status)s).") % {"status": parent.get_status_display()}
            )
