"""Invoice processes in the admin: the list with bulk actions, and the process page (the account, the
flow's buttons for the roles allowed to use them, every Execution of the process, the running one's log
live through the ledger's SSE stream, and the PDF behind a time-limited link)."""

from collections.abc import Callable
from typing import Any

from celery import current_app
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from orchestration.admin.executions import status_badge
from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.exceptions import OrchestraError
from orchestration.invoices.models import Carrier, InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.downloads import DOWNLOADS_KIND, invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import (
    CREATE_KIND,
    carrier_by_code,
    invoice_approve,
    invoice_manual_upload,
    invoice_reject,
)
from orchestration.invoices.services.sat import SAT_UPLOADS_KIND, invoice_sat_request
from orchestration.invoices.services.storage import invoice_link
from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.registries.kinds import kind_label
from orchestration.services.executions import ACTIVE_STATUSES, execution_create

RUN = "orchestration.run_invoiceprocess"
APPROVE = "orchestration.approve_invoiceprocess"
STATUS_COLOURS = {
    InvoiceStatus.AWAITING_DOWNLOAD: "#6c757d",
    InvoiceStatus.AWAITING_APPROVAL: "#fd7e14",
    InvoiceStatus.AWAITING_SAT_UPLOAD: "#0d6efd",
    InvoiceStatus.SAT_UPLOADED: "#198754",
}


def process_status_badge(process: InvoiceProcess) -> SafeString:
    return format_html(
        '<span class="status-badge" data-status="{}" style="background:{};color:#fff;padding:2px 8px;'
        'border-radius:10px;white-space:nowrap">{}</span>',
        process.status,
        STATUS_COLOURS.get(process.status, "#6c757d"),
        process.get_status_display(),
    )


def process_buttons(request: HttpRequest, process: InvoiceProcess) -> list[str]:
    """The flow's actions this user may use on this process now."""
    user = request.user
    found = []
    if user.has_perm(RUN):
        if process.status == InvoiceStatus.AWAITING_DOWNLOAD:
            found += ["download", "upload", "retry"]
        if process.status == InvoiceStatus.AWAITING_SAT_UPLOAD:
            found += ["send_to_sat", "retry"]
    if user.has_perm(APPROVE) and process.status == InvoiceStatus.AWAITING_APPROVAL:
        found += ["approve", "reject"]
    return found


@admin.register(InvoiceProcess)
class InvoiceProcessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "account",
        "carrier",
        "month_display",
        "status_column",
        "due_date",
        "amount",
        "download_attempts",
        "sat_attempts",
        "manual_upload",
    ]
    list_filter = ["status", "account__carrier", "month", "manual_upload"]
    search_fields = ["account__legal_name", "account__cnpj", "account__unit"]
    list_select_related = ["account__carrier"]
    actions = ["download_selected", "send_to_sat_selected", "approve_selected"]

    @admin.display(description=_("operadora"), ordering="account__carrier__code")
    def carrier(self, process: InvoiceProcess) -> str:
        return process.account.carrier.code

    @admin.display(description=_("mês"), ordering="month")
    def month_display(self, process: InvoiceProcess) -> str:
        return process.month_display

    @admin.display(description=_("situação"), ordering="status")
    def status_column(self, process: InvoiceProcess) -> SafeString:
        return process_status_badge(process)

    def has_run_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RUN)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE)

    # Bulk actions -----------------------------------------------------------------------------

    def _bulk(
        self, request: HttpRequest, queryset: QuerySet[InvoiceProcess], act: Callable[[InvoiceProcess, Actor], Any]
    ) -> None:
        actor = Actor.from_request(request, trigger=Trigger.MANUAL)
        done, refused = 0, []
        for process in queryset.select_related("account__carrier"):
            try:
                act(process, actor)
                done += 1
            except (OrchestraError, PermissionDenied) as error:
                refused.append(f"{process}: {error}")
        if done:
            self.message_user(
                request, ngettext("%(n)d processo atendido.", "%(n)d processos atendidos.", done) % {"n": done}
            )
        for line in refused[:20]:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Baixar as faturas selecionadas (RPA)"), permissions=["run"])
    def download_selected(self, request: HttpRequest, queryset: QuerySet[InvoiceProcess]) -> None:
        self._bulk(request, queryset, lambda process, actor: invoice_download_request(process=process, actor=actor))

    @admin.action(description=_("Enviar as selecionadas ao SAT (RPA)"), permissions=["run"])
    def send_to_sat_selected(self, request: HttpRequest, queryset: QuerySet[InvoiceProcess]) -> None:
        self._bulk(request, queryset, lambda process, actor: invoice_sat_request(process=process, actor=actor))

    @admin.action(description=_("Aprovar as faturas selecionadas"), permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[InvoiceProcess]) -> None:
        self._bulk(request, queryset, lambda process, actor: invoice_approve(process=process, actor=actor))

    # The process page -------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        act = path(
            "<path:object_id>/act/<str:name>/",
            self.admin_site.admin_view(require_POST(self.act_view)),
            name="orchestration_invoiceprocess_act",
        )
        runs = path(
            "runs/",
            self.admin_site.admin_view(require_POST(self.runs_view)),
            name="orchestration_invoiceprocess_runs",
        )
        return [runs, act, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {
            "can_run": request.user.has_perm(RUN),
            "carrier_codes": list(Carrier.objects.filter(is_active=True, has_rpa=True).values_list("code", flat=True)),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    def runs_view(self, request: HttpRequest) -> HttpResponse:
        """Flows 1, 2 and 5 over many processes, queued for a worker like the API's runs."""
        if not request.user.has_perm(RUN):
            raise PermissionDenied
        kinds = {
            "create": (CREATE_KIND, "invoices.create_invoice_processes"),
            "download": (DOWNLOADS_KIND, "invoices.download_invoices"),
            "sat": (SAT_UPLOADS_KIND, "invoices.send_invoices_to_sat"),
        }
        chosen = kinds.get(request.POST.get("run", ""))
        month, carrier = request.POST.get("month", "").strip(), request.POST.get("carrier", "").strip()
        back = HttpResponseRedirect(reverse("admin:orchestration_invoiceprocess_changelist"))
        try:
            if chosen is None:
                raise ValidationError(gettext("Escolha o que executar."))
            if month:
                month_parse(month)
            if carrier:
                carrier_by_code(carrier)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return back
        except OrchestraError as error:
            self.message_user(request, str(error), messages.ERROR)
            return back
        kind, task = chosen
        actor = Actor.from_request(request, trigger=Trigger.MANUAL)
        execution = execution_create(
            kind=kind, parameters={"carrier": carrier, "month": month}, **actor.execution_fields()
        )
        kwargs = {"carrier": carrier, "month": month, "trigger": Trigger.MANUAL, "execution_id": execution.pk}
        transaction.on_commit(lambda: current_app.send_task(task, kwargs=kwargs))
        live = reverse("admin:orchestration_execution_live", args=[execution.pk])
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                gettext("Execução #%(id)d enfileirada.") % {"id": execution.pk},
                live,
                gettext("ao vivo"),
            ),
            messages.SUCCESS,
        )
        return back

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        process = self.get_object(request, unquote(object_id))
        if process is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, process):
            raise PermissionDenied
        executions = list(
            Execution.objects.filter(
                subject_type=ContentType.objects.get_for_model(InvoiceProcess), subject_id=str(process.pk)
            ).order_by("-created_at", "-id")
        )
        running = next((e for e in executions if e.status in ACTIVE_STATUSES), None)
        link = ""
        if process.invoice_key:
            try:
                link = invoice_link(process)
            except OrchestraError:
                link = ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(process),
            "process": process,
            "account": process.account,
            "status_badge": process_status_badge(process),
            "buttons": process_buttons(request, process),
            "executions": [
                {
                    "execution": execution,
                    "label": kind_label(execution.kind),
                    "badge": status_badge(execution),
                    "url": reverse("admin:orchestration_execution_change", args=[execution.pk]),
                    "live_url": reverse("admin:orchestration_execution_live", args=[execution.pk]),
                }
                for execution in executions
            ],
            "running": running,
            "running_lines": list(running.log_lines.order_by("-id")[:200])[::-1] if running else [],
            "stream_url": reverse("execution-stream", kwargs={"pk": running.pk}) if running else "",
            "invoice_link": link,
            "rejections": list(process.rejections.select_related("rejected_by")),
            "act_urls": {
                name: reverse("admin:orchestration_invoiceprocess_act", args=[process.pk, name])
                for name in ("download", "upload", "retry", "send_to_sat", "approve", "reject")
            },
            "finished_statuses": sorted(ExecutionStatus.terminal()),
        }
        return TemplateResponse(request, "orchestration/invoice_process.html", context)

    def act_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        process = self.get_object(request, unquote(object_id))
        if process is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if name not in process_buttons(request, process):
            raise PermissionDenied
        actor = Actor.from_request(request, trigger=Trigger.MANUAL)
        try:
            if name == "download":
                invoice_download_request(process=process, actor=actor)
            elif name == "retry" and process.status == InvoiceStatus.AWAITING_DOWNLOAD:
                invoice_download_request(process=process, actor=actor, retry=True)
            elif name == "retry":
                invoice_sat_request(process=process, actor=actor, retry=True)
            elif name == "send_to_sat":
                invoice_sat_request(process=process, actor=actor)
            elif name == "approve":
                invoice_approve(process=process, actor=actor)
            elif name == "reject":
                invoice_reject(process=process, actor=actor, reason=request.POST.get("reason", ""))
            elif name == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError(gettext("Escolha o PDF da fatura."))
                invoice_manual_upload(process=process, filename=upload.name or "", content=upload.read(), actor=actor)
            self.message_user(request, gettext("Feito."), messages.SUCCESS)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except OrchestraError as error:
            self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:orchestration_invoiceprocess_change", args=[process.pk]))
