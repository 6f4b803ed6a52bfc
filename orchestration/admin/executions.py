"""The execution ledger in the admin: read-only list and page, the cancel action, the live page."""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus
from orchestration.registries.kinds import kind_choices, kind_label
from orchestration.services.executions import execution_cancel


class KindFilter(admin.SimpleListFilter):
    """Kinds by their labels; the parameter stays `kind` (links and bookmarks use `?kind=MOVIDESK_SYNC`)."""

    title = _("tipo")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        known = dict(kind_choices())
        present = Execution.objects.order_by().values_list("kind", flat=True).distinct()
        return sorted(((code, known.get(code, code)) for code in present), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Execution]) -> QuerySet[Execution]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


# How many log lines the change page and the live page render before the stream takes over.
INLINE_LINES = 200
LIVE_PAGE_LINES = 1000

STATUS_COLOURS = {
    ExecutionStatus.QUEUED: "#6c757d",
    ExecutionStatus.RUNNING: "#0d6efd",
    ExecutionStatus.SUCCEEDED: "#198754",
    ExecutionStatus.PARTIAL: "#b58105",
    ExecutionStatus.FAILED: "#dc3545",
    ExecutionStatus.RETRYING: "#fd7e14",
    ExecutionStatus.CANCELLED: "#495057",
    ExecutionStatus.TIMED_OUT: "#a61e4d",
    ExecutionStatus.SKIPPED: "#adb5bd",
}


def status_badge(execution: Execution) -> SafeString:
    colour = STATUS_COLOURS.get(execution.status, "#6c757d")
    return format_html(
        '<span class="status-badge" data-status="{}" style="background:{};color:#fff;padding:2px 8px;'
        'border-radius:10px;white-space:nowrap">{}</span>',
        execution.status,
        colour,
        execution.get_status_display(),
    )


# --- Executions ---------------------------------------------------------------------------------


class ExecutionLogLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ExecutionLogLine
    fields = ("id", "created_at", "level", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("últimas linhas de log (todas na página ao vivo)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExecutionLogLine]:
        queryset = super().get_queryset(request)
        object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if object_id is None or not str(object_id).isdigit():
            return queryset.none()
        # The formset filters the queryset further, so no slice here: pick the ids of the last lines.
        last_ids = list(
            ExecutionLogLine.objects.filter(execution_id=int(object_id))
            .order_by("-id")
            .values_list("id", flat=True)[:INLINE_LINES]
        )
        return queryset.filter(pk__in=last_ids).order_by("id")


@admin.register(Execution)
class ExecutionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is written by jobs only: everything here is read-only, except cancelling."""

    list_display = (
        "id",
        "kind_column",
        "status_column",
        "trigger",
        "started_by",
        "attempt",
        "created_at",
        "duration",
        "counters_summary",
        "live_link",
    )
    list_display_links = ("id", "kind_column")
    list_filter = ("status", "trigger", KindFilter, "created_at")
    date_hierarchy = "created_at"
    search_fields = ("kind", "error", "celery_task_id", "started_by__email", "started_by__name")
    list_select_related = ("started_by",)
    list_per_page = 50
    actions = ["cancel_selected"]
    inlines = [ExecutionLogLineInline]
    fieldsets = (
        (None, {"fields": ("kind_column", "status_column", "trigger", "attempt", "parent_link", "live_link")}),
        (_("Origem"), {"fields": ("started_by", "requester_ip", "user_agent", "celery_task_id", "lock_key")}),
        (_("Tempo"), {"fields": ("created_at", "started_at", "finished_at", "duration")}),
        (_("Resultado"), {"fields": ("parameters_pretty", "counters_pretty", "error_type", "error")}),
    )
    readonly_fields = (
        "kind_column",
        "parent_link",
        "status_column",
        "trigger",
        "attempt",
        "live_link",
        "started_by",
        "requester_ip",
        "user_agent",
        "celery_task_id",
        "lock_key",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "parameters_pretty",
        "counters_pretty",
        "error_type",
        "error",
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Execution], search_term: str
    ) -> tuple[QuerySet[Execution], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            results |= queryset.filter(pk=int(term))
        return results, may_have_duplicates

    # Read-only ledger (ReadOnlyAdminMixin); cancelling is an action --------------------------
    def has_cancel_execution_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orchestration.cancel_execution")

    # Columns ----------------------------------------------------------------------------------
    @admin.display(description=_("tipo"), ordering="kind")
    def kind_column(self, execution: Execution) -> str:
        return kind_label(execution.kind)

    @admin.display(description=_("execução principal"))
    def parent_link(self, execution: Execution) -> SafeString | str:
        if execution.parent_id is None:
            return "—"
        url = reverse("admin:orchestration_execution_change", args=[execution.parent_id])
        return format_html('<a href="{}">#{}</a>', url, execution.parent_id)

    @admin.display(description=_("situação"), ordering="status")
    def status_column(self, execution: Execution) -> SafeString:
        return status_badge(execution)

    @admin.display(description=_("duração"))
    def duration(self, execution: Execution) -> str:
        seconds = execution.duration_seconds
        if seconds is None:
            return str(_("em andamento")) if execution.status == ExecutionStatus.RUNNING else "—"
        if seconds < 60:
            return f"{seconds:.1f} s".replace(".", ",")
        minutes, rest = divmod(int(seconds), 60)
        return f"{minutes} min {rest:02d} s"

    @admin.display(description=_("contadores"))
    def counters_summary(self, execution: Execution) -> str:
        items = list(execution.counters.items())
        text = ", ".join(f"{name}: {value}" for name, value in items[:4])
        return f"{text}, …" if len(items) > 4 else text or "—"

    @admin.display(description=_("parâmetros"))
    def parameters_pretty(self, execution: Execution) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(execution.parameters, ensure_ascii=False, indent=2))

    @admin.display(description=_("contadores"))
    def counters_pretty(self, execution: Execution) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(execution.counters, ensure_ascii=False, indent=2))

    @admin.display(description=_("log ao vivo"))
    def live_link(self, execution: Execution) -> SafeString:
        url = reverse("admin:orchestration_execution_live", args=[execution.pk])
        console = reverse("console:execution", args=[execution.pk])
        return format_html(
            '<a href="{}" class="live-log-link">{}</a> · <a href="{}" class="console-link">{}</a>',
            url,
            _("ao vivo"),
            console,
            _("no console"),
        )

    # Actions ----------------------------------------------------------------------------------
    @admin.action(description=_("Cancelar execuções selecionadas"), permissions=["cancel_execution"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        executions = list(queryset)
        cancelled = sum(1 for execution in executions if execution_cancel(execution=execution, user=request.user))
        if cancelled:
            self.message_user(
                request,
                ngettext("%(count)d execução cancelada.", "%(count)d execuções canceladas.", cancelled)
                % {"count": cancelled},
                messages.SUCCESS,
            )
        if len(executions) > cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d execução já estava encerrada e não foi alterada.",
                    "%(count)d execuções já estavam encerradas e não foram alteradas.",
                    len(executions) - cancelled,
                )
                % {"count": len(executions) - cancelled},
                messages.WARNING,
            )

    # Live page --------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        live = path(
            "<path:object_id>/live/",
            self.admin_site.admin_view(self.live_view),
            name="orchestration_execution_live",
        )
        return [live, *super().get_urls()]

    def live_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        execution = self.get_object(request, unquote(object_id))
        if execution is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, execution):
            raise PermissionDenied
        total = execution.log_lines.count()
        lines = list(execution.log_lines.order_by("-id")[:LIVE_PAGE_LINES])[::-1]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Log ao vivo de %(kind)s #%(id)s") % {"kind": kind_label(execution.kind), "id": execution.pk},
            "execution": execution,
            "kind_label": kind_label(execution.kind),
            "status_badge": status_badge(execution),
            "counters_json": json.dumps(execution.counters, ensure_ascii=False),
            "lines": lines,
            "hidden_lines": max(0, total - len(lines)),
            "last_line_id": lines[-1].id if lines else 0,
            "stream_url": reverse("execution-stream", kwargs={"pk": execution.pk}),
            "change_url": reverse("admin:orchestration_execution_change", args=[execution.pk]),
            "status_colours": {str(key): value for key, value in STATUS_COLOURS.items()},
        }
        return TemplateResponse(request, "orchestration/execution_live.html", context)
