"""The execution page (/console/executions/<id>/): what the run is, its counters and result, and its log live
through the foundation's SSE stream; `summary` is the part htmx refreshes while the run is active."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from orchestration.console.context import console_render
from orchestration.console.execution import execution_page_data
from orchestration.models import Execution, LogLevel

VIEW = "orchestration.view_execution"
STOP_POLLING = 286


def _execution(pk: int) -> Execution:
    return get_object_or_404(Execution.objects.select_related("started_by", "parent", "subject_type"), pk=pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def execution_page(request: HttpRequest, pk: int) -> HttpResponse:
    execution = _execution(pk)
    data = execution_page_data(execution)
    return console_render(
        request,
        "console/execution.html",
        {
            **data,
            "title": _("%(kind)s #%(id)s") % {"kind": data["kind_label"], "id": execution.pk},
            "stream_url": reverse("execution-stream", kwargs={"pk": execution.pk}),
            "lines_url": reverse("execution-lines", kwargs={"pk": execution.pk}),
            "admin_url": reverse("admin:orchestration_execution_change", args=[execution.pk]),
            "level_labels": {code: str(label) for code, label in LogLevel.choices},
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def execution_summary(request: HttpRequest, pk: int) -> HttpResponse:
    data = execution_page_data(_execution(pk))
    # 286 tells htmx to stop polling: a finished run's summary no longer changes.
    return render(request, "console/execution_summary.html", data, status=STOP_POLLING if data["is_finished"] else 200)
