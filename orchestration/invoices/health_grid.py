"""The invoice pipeline on the health grid: a row per carrier account's process of the month shown (the
current one unless the grid asks for another), its single-download and single-SAT-upload runs; re-running a
cell asks for that step of that process again (from a fresh count of attempts), as the admin's button does."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orchestration.exceptions import ValidationFailed
from orchestration.invoices.models import InvoiceProcess
from orchestration.invoices.months import month_format
from orchestration.invoices.services.downloads import DOWNLOAD_KIND, invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.sat import SAT_UPLOAD_KIND, invoice_sat_request
from orchestration.models import Execution, Trigger, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, register_health_source


def invoice_rows(user: User, month: date) -> list[HealthRow]:
    if not user.has_perm("orchestration.view_invoiceprocess"):
        return []
    processes = (
        InvoiceProcess.objects.filter(month=month)
        .select_related("account__carrier")
        .order_by("account__carrier__name", "account__legal_name", "pk")
    )
    return [
        HealthRow(
            key=f"invoice:{process.pk}",
            label=process.account.legal_name,
            subject=process,
            link=reverse("admin:orchestration_invoiceprocess_change", args=[process.pk]),
            detail=" · ".join(
                (process.account.carrier.name, month_format(process.month), process.get_status_display())
            ),
        )
        for process in processes
    ]


def invoice_rerun(row: HealthRow, kind: str, requester: Requester) -> Execution:
    process = row.subject
    assert isinstance(process, InvoiceProcess)  # noqa: S101 - the rows above are processes
    actor = Actor(user=requester.user, ip=requester.ip, user_agent=requester.user_agent, trigger=Trigger.MANUAL)
    if kind == DOWNLOAD_KIND:
        return invoice_download_request(process=process, actor=actor, retry=True)
    if kind == SAT_UPLOAD_KIND:
        return invoice_sat_request(process=process, actor=actor, retry=True)
    raise ValidationFailed(str(_("Tipo de execução sem nova execução nas faturas: %(kind)s.")) % {"kind": kind})


register_health_source(
    HealthSource(
        "invoices",
        _("Faturas das operadoras"),
        kinds=(DOWNLOAD_KIND, SAT_UPLOAD_KIND),
        rows=invoice_rows,
        rerun=invoice_rerun,
        rerun_permission="orchestration.run_invoiceprocess",
        order=30,
    )
)
