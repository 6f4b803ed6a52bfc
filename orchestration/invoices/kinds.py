"""The invoice pipeline's execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from orchestration.invoices.services.downloads import DOWNLOAD_KIND, DOWNLOAD_TASK, DOWNLOADS_KIND
from orchestration.invoices.services.processes import APPROVAL_KIND, CREATE_KIND, MANUAL_UPLOAD_KIND, REJECTION_KIND
from orchestration.invoices.services.sat import SAT_TASK, SAT_UPLOAD_KIND, SAT_UPLOADS_KIND
from orchestration.registries.kinds import ExecutionKind, register_kind

CARRIER_ACCOUNTS_IMPORT_KIND = "CARRIER_ACCOUNTS_IMPORT"
INVOICE_DAILY_REPORT_KIND = "INVOICE_DAILY_REPORT"

_CONCERNS = _("faturas das operadoras")

for code, label, task in (
    (CREATE_KIND, _("Criação dos processos de fatura do mês"), "invoices.create_invoice_processes"),
    (DOWNLOADS_KIND, _("Download de faturas pelo RPA (um item por processo)"), "invoices.download_invoices"),
    (DOWNLOAD_KIND, _("Download de uma fatura pelo RPA"), DOWNLOAD_TASK),
    (MANUAL_UPLOAD_KIND, _("Envio manual de fatura"), ""),
    (APPROVAL_KIND, _("Aprovação de fatura"), ""),
    (REJECTION_KIND, _("Rejeição de fatura"), ""),
    (SAT_UPLOADS_KIND, _("Envio de faturas ao SAT (um item por processo)"), "invoices.send_invoices_to_sat"),
    (SAT_UPLOAD_KIND, _("Envio de uma fatura ao SAT"), SAT_TASK),
):
    register_kind(ExecutionKind(code, label, app="orchestration", concerns=_CONCERNS, task=task))

register_kind(
    ExecutionKind(
        CARRIER_ACCOUNTS_IMPORT_KIND,
        _("Importação de contas das operadoras (CSV)"),
        app="orchestration",
        concerns=_("contas nas operadoras"),
    )
)
register_kind(
    ExecutionKind(
        INVOICE_DAILY_REPORT_KIND,
        _("Relatório diário das faturas"),
        app="orchestration",
        concerns=_("processos de fatura"),
    )
)
