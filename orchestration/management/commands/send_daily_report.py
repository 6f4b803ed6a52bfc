"""`manage.py send_daily_report`: the invoices' daily report, now (once a day: a second run sends nothing)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orchestration.invoices.reports.daily import daily_report_run
from orchestration.models import Trigger
from orchestration.services.maintenance import finished_well


class Command(BaseCommand):
    help = "Envia o relatório diário das faturas (por situação, falhas, aprovações pendentes) aos destinatários."

    def handle(self, *args: Any, **options: Any) -> None:
        execution = daily_report_run(trigger=Trigger.MANUAL)
        if not finished_well(execution):
            raise CommandError(f"Relatório falhou (execução #{execution.pk}): {execution.error}")
        last = execution.log_lines.order_by("-id").values_list("message", flat=True).first() or ""
        self.stdout.write(f"Execução #{execution.pk}: {last}")
