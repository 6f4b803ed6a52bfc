"""`manage.py create_invoice_processes [--month MM/AAAA] [--carrier CODE]`: the month's invoice processes
(flow 1 of the invoice pipeline, orchestration.invoices); running it again creates nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import carrier_by_code, invoice_processes_create_run
from orchestration.models import ExecutionStatus, Trigger


class Command(BaseCommand):
    help = "Cria o processo de fatura do mês de cada conta ativa das operadoras ativas com RPA."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", metavar="MM/AAAA", help="mês das faturas (padrão: o mês atual)")
        parser.add_argument("--carrier", metavar="CÓDIGO", default="", help="só esta operadora (ex.: VIVO)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_parse(options["month"]) if options["month"] else None
            if options["carrier"]:
                carrier_by_code(options["carrier"])
        except (ValidationError, ValidationFailed) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        execution = invoice_processes_create_run(
            month=month, carrier_code=options["carrier"], trigger=Trigger.MANUAL, actor=Actor(trigger=Trigger.MANUAL)
        )
        if execution.status != ExecutionStatus.SUCCEEDED:
            raise CommandError(_("Execução #%(id)d: %(error)s") % {"id": execution.pk, "error": execution.error})
        self.stdout.write(
            _("Execução #%(id)d: %(created)d processos criados, %(existing)d já existiam.")
            % {"id": execution.pk, "created": execution.counters["created"], "existing": execution.counters["existing"]}
        )
