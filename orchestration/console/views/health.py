"""The health grid at /console/health/: every account, session and integration × its sync kinds, filtered in
the URL (GET), one page at a time; htmx swaps the table on a filter change and one cell after a re-run.

The numbers are selectors/health_grid.py's, the re-run services/health_grid.py's: this module only reads the
request and picks the template."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orchestration.client_ip import client_ip
from orchestration.console.context import console_render
from orchestration.exceptions import OrchestraError, ValidationFailed
from orchestration.models import User
from orchestration.registries.console import Requester, health_sources_all
from orchestration.selectors.health_grid import CellState, HealthCell, HealthFilters, health_cell, health_grid
from orchestration.services.health_grid import CellNotFound, health_cell_find, health_cell_rerun

CELL_TEMPLATE = "console/health/cell.html"


def _month(value: str) -> date:
    """`YYYY-MM` (what <input type="month"> sends) → its first day; anything else → the current month."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _filters(request: HttpRequest) -> HealthFilters:
    data = request.GET
    sources = {source.key for source in health_sources_all()}
    source = data.get("source", "")
    state = data.get("state", "")
    return HealthFilters(
        month=_month(data.get("month", "")),
        source=source if source in sources else "",
        state=state if state in CellState.values else "",
        q=data.get("q", "")[:100],
    )


@login_required
@require_GET
def grid(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    user: User = request.user  # type: ignore[assignment]
    found = health_grid(user, filters, page=request.GET.get("page", 1))
    month_value = f"{filters.month:%Y-%m}"
    context: dict[str, Any] = {
        "title": _("Saúde das integrações"),
        "filters": filters,
        "month_value": month_value,
        "grid": found,
        "groups": [
            (source, labels, lines, user.has_perm(source.rerun_permission)) for source, labels, lines in found.groups
        ],
        "query": urlencode({"source": filters.source, "state": filters.state, "q": filters.q, "month": month_value}),
        "sources": health_sources_all(),
        "states": CellState.choices,
    }
    if request.htmx and request.htmx.target == "health-results":  # type: ignore[attr-defined]
        return render(request, "console/health/results.html", context)
    return console_render(request, "console/health/grid.html", context)


def _cell_response(
    request: HttpRequest, cell: HealthCell, month: date, *, message: str = "", error: bool = False, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "cell": cell,
        "month_value": f"{month:%Y-%m}",
        "may_rerun": user.has_perm(cell.source.rerun_permission),
        # A cell answered on its own (after a re-run) follows itself until it ends; in the table, the table does.
        "poll": True,
        "message": message,
        "message_error": error,
    }
    return render(request, CELL_TEMPLATE, context, status=status)


def _cell_arguments(data: Any) -> dict[str, Any]:
    return {
        "source_key": data.get("source", ""),
        "row_key": data.get("row", ""),
        "kind": data.get("kind", ""),
        "month": _month(data.get("month", "")),
    }


def _problem(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def cell(request: HttpRequest) -> HttpResponse:
    """One cell as it is now (a running cell polls itself through this until it ends)."""
    arguments = _cell_arguments(request.GET)
    try:
        source, row = health_cell_find(user=request.user, **arguments)  # type: ignore[arg-type]
    except CellNotFound as error:
        return _problem(str(error), 404)
    except ValidationFailed as error:
        return _problem(str(error), 400)
    return _cell_response(request, health_cell(source, row, arguments["kind"]), arguments["month"])


@login_required
@require_POST
def rerun(request: HttpRequest) -> HttpResponse:
    """Runs one cell again and answers the refreshed cell (with the outcome's message)."""
    arguments = _cell_arguments(request.POST)
    user: User = request.user  # type: ignore[assignment]
    try:
        source, row = health_cell_find(user=user, **arguments)
    except CellNotFound as error:
        return _problem(str(error), 404)
    except ValidationFailed as error:
        return _problem(str(error), 400)
    if not user.has_perm(source.rerun_permission):
        return _problem(_("Seu perfil não pode executar esta célula de novo."), 403)
    requester = Requester(user=user, ip=client_ip(request) or None, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    kind = arguments["kind"]
    try:
        execution = health_cell_rerun(source=source, row=row, kind=kind, requester=requester)
    except ValidationFailed as error:
        return _cell_response(
            request, health_cell(source, row, kind), arguments["month"], message=str(error), error=True, status=400
        )
    except OrchestraError as error:
        return _cell_response(
            request, health_cell(source, row, kind), arguments["month"], message=str(error), error=True, status=409
        )
    message = _("Execução #%(id)s solicitada.") % {"id": execution.pk}
    if not request.htmx:  # type: ignore[attr-defined]
        # Without JavaScript the form posted the whole page: back to the grid, the message on top.
        messages.success(request, message)
        month_value = f"{arguments['month']:%Y-%m}"
        return redirect(f"{reverse('console:health')}?{urlencode({'month': month_value})}")
    return _cell_response(request, health_cell(source, row, kind), arguments["month"], message=message)
