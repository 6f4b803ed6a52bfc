"""`manage.py send_invoices_to_sat [--carrier CODE] [--month MM/AAAA]`: one run with one child per
approved process (flow 5 of the invoice pipeline)."""

from orchestration.invoices.commands import StepCommand
from orchestration.invoices.services.sat import invoices_to_sat_run


class Command(StepCommand):
    help = "Envia ao SAT, pelo servidor RPA, as faturas aprovadas."
    run = staticmethod(invoices_to_sat_run)
