"""The invoice processes of a month on the console: `/invoices/processes/?month=MM/YYYY&carrier=VIVO&status=…&q=…`
(the current month by default), with bulk actions: approve and reject for approvers, download and send to
the SAT for whoever runs the pipeline. Each selected process is reported: done, or refused and why."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from orchestration.console.context import console_render
from orchestration.console.pagination import page_of
from orchestration.exceptions import OrchestraError
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current, month_format
from orchestration.invoices.process_filters import ProcessFilterForm, processes_matching
from orchestration.invoices.services.bulk import BULK_ACTIONS, invoices_bulk_act
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.storage import invoice_link
from orchestration.invoices.tax_ids import cnpj_format
from orchestration.models import Trigger, User

VIEW_PERMISSION = "orchestration.view_invoiceprocess"


@dataclass(frozen=True)
class ProcessRow:
    process: InvoiceProcess
    admin_url: str
    pdf_url: str
    cnpj: str


def _pdf_url(process: InvoiceProcess) -> str:
    if not process.invoice_key:
        return ""
    try:
        return invoice_link(process)
    except OrchestraError:
        return ""


def _shifted(month_text: str, months: int) -> str:
    month, year = int(month_text[:2]), int(month_text[3:])
    index = year * 12 + month - 1 + months
    return f"{index % 12 + 1:02d}/{index // 12}"


def _act(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    action = BULK_ACTIONS.get(request.POST.get("action", ""))
    if action is None or not user.has_perm(action.permission):
        raise PermissionDenied
    ids = [int(value) for value in request.POST.getlist("process") if value.isdigit() and len(value) < 19]
    query = request.POST.get("query", "").lstrip("?")
    back = HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
    if not ids:
        messages.warning(request, _("Selecione ao menos um processo."))
        return back
    try:
        outcomes = invoices_bulk_act(
            action=action.name,
            process_ids=ids,
            actor=Actor.from_request(request, trigger=Trigger.MANUAL),
            reason=request.POST.get("reason", ""),
        )
    except OrchestraError as error:
        messages.error(request, str(error))
        return back
    done = sum(outcome.done for outcome in outcomes)
    refused = [outcome for outcome in outcomes if not outcome.done]
    if done:
        messages.success(
            request,
            ngettext("%(action)s: %(n)d processo atendido.", "%(action)s: %(n)d processos atendidos.", done)
            % {"action": action.label, "n": done},
        )
    for outcome in outcomes:
        if outcome.done:
            messages.success(request, f"{outcome.process}: {outcome.message}.")
    for outcome in refused:
        messages.warning(
            request, _("%(process)s: recusado. %(why)s") % {"process": outcome.process, "why": outcome.message}
        )
    return back


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def process_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        return _act(request)
    form = ProcessFilterForm(request.GET)
    valid = form.is_valid()
    page = None
    month_text = month_format(month_current(timezone.localdate()))
    if valid:
        month_text = month_format(form.cleaned_data["month"])
        page = page_of(
            request,
            processes_matching(
                month=form.cleaned_data["month"],
                carrier=form.cleaned_data["carrier"],
                statuses=form.cleaned_data["status"],
                text=form.cleaned_data["q"],
            ),
        )
    actions = [action for action in BULK_ACTIONS.values() if user.has_perm(action.permission)]
    context = {
        "title": _("Faturas de %(month)s") % {"month": month_text} if valid else _("Faturas"),
        "form": form,
        "errors": form.errors,
        "page": page,
        "rows": [
            ProcessRow(
                process=process,
                admin_url=reverse("admin:orchestration_invoiceprocess_change", args=[process.pk]),
                pdf_url=_pdf_url(process),
                cnpj=cnpj_format(process.account.cnpj),
            )
            for process in (page.object_list if page is not None else [])
        ],
        "month_value": request.GET.get("month", "").strip() or month_text,
        "previous_month": _shifted(month_text, -1),
        "next_month": _shifted(month_text, 1),
        "statuses": InvoiceStatus.choices,
        "chosen_statuses": request.GET.getlist("status"),
        "actions": actions,
        "can_reject": any(action.name == "reject" for action in actions),
        "query": request.GET.urlencode(),
    }
    status = 400 if not valid and not request.htmx else 200  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "invoices/processes_list.html", context, status=status)
    return console_render(request, "invoices/processes.html", context, status=status)
