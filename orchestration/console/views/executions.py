"""The executions list at /console/executions/: the API's filters (ExecutionFilter) kept in the URL, so a
filtered list can be bookmarked and linked from a dashboard tile.

Only top-level runs by default: a fan-out's items (one per account, session or invoice) would bury them.
`items=1` lists the items too; filtering by `parent`, `subject_type` or `subject_id` implies it."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from orchestration.api.filters import ExecutionFilter
from orchestration.console.context import console_render
from orchestration.console.display import admin_change_url, duration_display, subjects_by_key
from orchestration.console.pagination import page_of
from orchestration.models import Execution, ExecutionStatus, Trigger, User
from orchestration.registries.kinds import kind_choices, kind_label

VIEW_PERMISSION = "orchestration.view_execution"
ITEM_FILTERS = ("parent", "subject_type", "subject_id")
# Behind "Mais filtros", which opens by itself when one of them is set or wrong.
ADVANCED_FILTERS = (*ITEM_FILTERS, "started_by", "created_after", "created_before")
SEARCH_MAX = 200
ORDERINGS = [
    ("", gettext_lazy("Mais recentes primeiro")),
    ("created_at", gettext_lazy("Mais antigas primeiro")),
    ("kind", gettext_lazy("Tipo")),
    ("status", gettext_lazy("Situação")),
    ("-id", gettext_lazy("Número (maior primeiro)")),
]


@dataclass(frozen=True)
class ExecutionRow:
    execution: Execution
    kind_label: str
    duration: str
    running: bool
    subject_label: str
    subject_url: str
    items: int


def _searched(queryset: QuerySet[Execution], text: str) -> QuerySet[Execution]:
    if not text:
        return queryset
    return queryset.filter(Q(kind__icontains=text) | Q(error__icontains=text) | Q(celery_task_id=text))


def _rows(executions: list[Execution], user: User) -> list[ExecutionRow]:
    subjects = subjects_by_key([(e.subject_type_id, e.subject_id) for e in executions])
    items = dict(
        Execution.objects.filter(parent_id__in=[e.pk for e in executions])
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    now = timezone.now()
    rows = []
    for execution in executions:
        subject = subjects.get((execution.subject_type_id, execution.subject_id)) if execution.subject_type_id else None
        started, running = execution.started_at, False
        seconds = execution.duration_seconds
        if started is not None and execution.finished_at is None:
            running, seconds = True, (now - started).total_seconds()
        if subject is not None:
            label = str(subject)
        elif execution.subject_type_id:
            label = f"{execution.subject_type.name} #{execution.subject_id}"  # type: ignore[union-attr]
        else:
            label = ""
        rows.append(
            ExecutionRow(
                execution=execution,
                kind_label=kind_label(execution.kind),
                duration=duration_display(seconds),
                running=running,
                subject_label=label,
                subject_url=admin_change_url(subject, user),
                items=items.get(execution.pk, 0),
            )
        )
    return rows


def _choices_context(request: HttpRequest) -> dict[str, object]:
    kinds = kind_choices()
    asked = request.GET.get("kind", "")
    if asked and asked not in dict(kinds):
        kinds.append((asked, asked))  # an old row's kind nobody registers any more
    return {
        "kinds": kinds,
        "statuses": ExecutionStatus.choices,
        "triggers": Trigger.choices,
        "users": [(user.pk, str(user)) for user in User.objects.order_by("name", "email")],
        "orderings": ORDERINGS,
        "chosen_statuses": request.GET.getlist("status"),
        "chosen_triggers": request.GET.getlist("trigger"),
    }


@login_required
@require_safe
def execution_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    show_items = request.GET.get("items") == "1" or any(request.GET.get(name) for name in ITEM_FILTERS)
    base = Execution.objects.select_related("started_by", "subject_type")
    if not show_items:
        base = base.filter(parent__isnull=True)
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    filterset = ExecutionFilter(request.GET, queryset=_searched(base, search), request=request)
    valid = filterset.is_valid()
    page = page_of(request, filterset.qs) if valid else None
    context = {
        "title": _("Execuções"),
        "form": filterset.form,
        "errors": filterset.form.errors,
        "page": page,
        "rows": _rows(list(page.object_list), user) if page is not None else [],
        "show_items": show_items,
        "search": search,
        "advanced_open": any(request.GET.get(name) or name in filterset.form.errors for name in ADVANCED_FILTERS),
        **_choices_context(request),
    }
    # htmx swaps only the list; it does not swap a 4xx, and the errors are what the user must see then.
    status = 400 if not valid and not request.htmx else 200  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "console/executions_list.html", context, status=status)
    return console_render(request, "console/executions.html", context, status=status)
