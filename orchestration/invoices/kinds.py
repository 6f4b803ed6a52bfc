"""The invoice pipeline's execution kinds of flows 6 and 7 (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from orchestration.registries.kinds import ExecutionKind, register_kind

CARRIER_ACCOUNTS_IMPORT_KIND = "CARRIER_ACCOUNTS_IMPORT"
INVOICE_DAILY_REPORT_KIND = "INVOICE_DAILY_REPORT"

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
