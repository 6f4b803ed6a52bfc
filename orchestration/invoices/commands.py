"""What `download_invoices` and `send_invoices_to_sat` share: the options and the report of the run."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import carrier_by_code
from orchestration.models import Execution, Trigger


class StepCommand(BaseCommand):
    run: Callable[..., Execution]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--carrier", metavar="CÓDIGO", default="", help="só esta operadora (ex.: VIVO)")
        parser.add_argument("--month", metavar="MM/AAAA", help="só este mês")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_parse(options["month"]) if options["month"] else None
            if options["carrier"]:
                carrier_by_code(options["carrier"])
        except (ValidationError, ValidationFailed) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        execution = self.run(
            carrier_code=options["carrier"], month=month, trigger=Trigger.MANUAL, actor=Actor(trigger=Trigger.MANUAL)
        )
        children = execution.children.count()
        self.stdout.write(
            _("Execução #%(id)d (%(status)s): %(children)d processos entregues aos workers; acompanhe no ledger.")
            % {"id": execution.pk, "status": execution.get_status_display(), "children": children}
        )
