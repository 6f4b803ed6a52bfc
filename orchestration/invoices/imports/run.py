"""The CSV import as a run of the ledger (command and admin upload): who imported which file, the counts,
and each bad row as a log line. Two imports never run at once (lock `carrier-accounts-import`)."""

from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.imports.accounts import ImportReport, Progress, carrier_accounts_import
from orchestration.invoices.kinds import CARRIER_ACCOUNTS_IMPORT_KIND
from orchestration.models import Execution, LogLevel, Trigger, User
from orchestration.services.executions import execution_create
from orchestration.services.runner import JobContext, execution_run

LOCK_KEY = "carrier-accounts-import"
MAX_LOGGED_ERRORS = 1000


@dataclass
class ImportRun:
    execution: Execution
    report: ImportReport | None  # None when the file itself was refused or another import was running

    @property
    def problem(self) -> str:
        """Why nothing was imported, or "" when the valid rows were (or, dry, would be) written."""
        if self.report is not None and not self.report.refused:
            return ""
        if self.execution.error:
            return self.execution.error
        last = self.execution.log_lines.order_by("-id").values_list("message", flat=True).first()
        return str(last or self.execution.get_status_display())


def carrier_accounts_import_run(
    *,
    source: bytes | BinaryIO,
    filename: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> ImportRun:
    execution = execution_create(
        kind=CARRIER_ACCOUNTS_IMPORT_KIND,
        trigger=trigger,
        parameters={"file": filename, "dry_run": dry_run, "skip_invalid": skip_invalid},
        user=user,
        ip=ip,
        user_agent=user_agent,
        lock_key=LOCK_KEY,
    )
    reports: list[ImportReport] = []

    def job(context: JobContext) -> None:
        report = carrier_accounts_import(source=source, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress)
        reports.append(report)
        context.set_counters(**report.counters())
        for warning in report.warnings:
            context.log(warning, level=LogLevel.WARNING)
        for error in report.errors[:MAX_LOGGED_ERRORS]:
            context.log(str(error), level=LogLevel.WARNING)
        if len(report.errors) > MAX_LOGGED_ERRORS:
            context.log(_("… e mais %(count)d linhas com erro.") % {"count": len(report.errors) - MAX_LOGGED_ERRORS})
        if report.refused:
            raise ValidationFailed(
                _("Nada foi importado: %(count)d linha(s) com erro (use --skip-invalid para importar as demais).")
                % {"count": len(report.errors)}
            )
        prefix = _("Simulação, nada gravado. ") if dry_run else ""
        context.log(prefix + report.summary() + ".")
        context.partial = bool(report.skipped)

    execution = execution_run(
        kind=CARRIER_ACCOUNTS_IMPORT_KIND, job=job, execution_id=execution.pk, lock_key=LOCK_KEY, max_attempts=1
    )
    return ImportRun(execution=execution, report=reports[0] if reports else None)
