"""The invoice pipeline's dashboard tile: invoices waiting for approval, with the approver's button."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.services.processes import APPROVE_PERMISSION
from orchestration.models import User
from orchestration.registries.console import DashboardTile, register_tile

TILE_KEY = "invoices_awaiting_approval"
VIEW_PERMISSION = "orchestration.view_invoiceprocess"


def awaiting_approval_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(VIEW_PERMISSION):
        return None
    waiting = InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL)
    return {
        "processes": list(waiting.select_related("account__carrier").order_by("month", "id")[:8]),
        "total": waiting.count(),
        "can_approve": user.has_perm(APPROVE_PERMISSION),
        "list_url": f"{reverse('invoice-processes')}?{urlencode({'status': InvoiceStatus.AWAITING_APPROVAL})}",
    }


register_tile(
    DashboardTile(
        TILE_KEY,
        _("Faturas aguardando aprovação"),
        "console/tiles/invoices_awaiting_approval.html",
        awaiting_approval_context,
        order=50,
    )
)
