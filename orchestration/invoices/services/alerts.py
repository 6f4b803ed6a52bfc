"""The pipeline's alerts: failed downloads and SAT uploads grouped per carrier (one message for a portal
outage), and the "pending approval" alert that reaches approvers, grouped, and resolves when approved."""

from django.utils.translation import gettext as _

from orchestration.invoices.models import InvoiceProcess
from orchestration.models import AlertKind, Execution, Severity
from orchestration.services.alerts import alert_raise, alert_resolve

PENDING_APPROVAL_GROUP = "invoices:pending-approval"


def _failure_fingerprint(step: str, process: InvoiceProcess) -> str:
    return f"invoices:{step}-failed:{process.pk}"


def invoice_failure_alert(*, step: str, process: InvoiceProcess, execution: Execution, error: str) -> None:
    carrier = process.account.carrier
    if step == "download":
        title = _("Fatura de %(process)s não pôde ser baixada") % {"process": process}
        group_title = _("%(carrier)s: %%(count)d faturas não puderam ser baixadas") % {"carrier": carrier.name}
    else:
        title = _("Fatura de %(process)s não pôde ser enviada ao SAT") % {"process": process}
        group_title = _("%(carrier)s: %%(count)d faturas não puderam ser enviadas ao SAT") % {"carrier": carrier.name}
    alert_raise(
        fingerprint=_failure_fingerprint(step, process),
        group=f"invoices:{step}-failed:{carrier.code}",
        severity=Severity.CRITICAL,
        title=title,
        details=error,
        group_title=group_title,
        execution=execution,
        subject=process,
    )


def invoice_failure_resolve(*, step: str, process: InvoiceProcess) -> None:
    alert_resolve(fingerprint=_failure_fingerprint(step, process))


def _pending_fingerprint(process: InvoiceProcess) -> str:
    return f"invoices:pending-approval:{process.pk}"


def invoice_pending_approval_alert(*, process: InvoiceProcess, execution: Execution | None) -> None:
    alert_raise(
        fingerprint=_pending_fingerprint(process),
        group=PENDING_APPROVAL_GROUP,
        kind=AlertKind.PENDING_APPROVAL,
        severity=Severity.INFO,
        title=_("Fatura aguardando aprovação: %(process)s") % {"process": process},
        group_title=_("Faturas: %(count)d aguardando aprovação"),
        execution=execution,
        subject=process,
    )


def invoice_pending_approval_resolve(*, process: InvoiceProcess) -> None:
    alert_resolve(fingerprint=_pending_fingerprint(process))
