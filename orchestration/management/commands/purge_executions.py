"""`manage.py purge_executions [--days N]`: the daily ledger purge, now, in the foreground."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orchestration.models import Trigger
from orchestration.services.maintenance import finished_well, ledger_purge_run


class Command(BaseCommand):
    help = (
        "Apaga execuções e linhas de log mais antigas que EXECUTION_RETENTION_DAYS (ou --days), mantendo o que um "
        "alerta aberto ou uma execução distribuída em andamento ainda usa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="dias a manter (padrão: EXECUTION_RETENTION_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days precisa ser 1 ou mais.")
        execution = ledger_purge_run(trigger=Trigger.MANUAL, days=options["days"])
        last = execution.log_lines.order_by("-id").values_list("message", flat=True).first() or ""
        self.stdout.write(f"Execução #{execution.pk}: {execution.get_status_display()}. {last}")
        if not finished_well(execution):
            raise CommandError(execution.error or last)
