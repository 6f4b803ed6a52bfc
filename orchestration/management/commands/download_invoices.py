"""`manage.py download_invoices [--carrier CODE] [--month MM/AAAA]`: one run with one child per process
awaiting download (flow 2 of the invoice pipeline); the workers and the remote-job monitor do the rest."""

from orchestration.invoices.commands import StepCommand
from orchestration.invoices.services.downloads import invoice_downloads_run


class Command(StepCommand):
    help = "Pede ao servidor RPA as faturas que aguardam download (no máximo RPA_MAX_CONCURRENT_JOBS de cada vez)."
    run = staticmethod(invoice_downloads_run)
