"""Approving one invoice from the dashboard's tile: POST /invoices/processes/<id>/approve, answered with the
refreshed tile (htmx swaps it in) or, without htmx, a redirect back to the dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orchestration.console.views.dashboard import tile_response
from orchestration.exceptions import OrchestraError
from orchestration.invoices.dashboard_tiles import TILE_KEY
from orchestration.invoices.models import InvoiceProcess
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import APPROVE_PERMISSION, invoice_approve
from orchestration.models import Trigger


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    process = get_object_or_404(InvoiceProcess.objects.select_related("account"), pk=pk)
    outcome: dict[str, str] = {}
    try:
        invoice_approve(process=process, actor=Actor.from_request(request, trigger=Trigger.MANUAL))
        outcome["message"] = _("Fatura de %(account)s aprovada.") % {"account": process.account.legal_name}
    except OrchestraError as refused:
        outcome["error"] = _("Não foi possível aprovar a fatura de %(account)s: %(reason)s") % {
            "account": process.account.legal_name,
            "reason": refused,
        }
    if not request.htmx:  # type: ignore[attr-defined]
        (messages.success if "message" in outcome else messages.error)(request, next(iter(outcome.values())))
        return redirect("home")
    response = tile_response(request, TILE_KEY, outcome)
    if response is None:  # may approve but not see invoices: a role set up by hand
        raise PermissionDenied
    return response
