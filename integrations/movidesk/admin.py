"""Movidesk in the admin: tickets (read-only), the settings singleton, and "Sincronizar agora"."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from integrations.movidesk.configuration import (
    SCHEDULE_PREFIX,
    movidesk_connection,
    movidesk_settings_ensure,
    movidesk_settings_update,
)
from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.exceptions import MovideskNotConfigured
from integrations.movidesk.forms import ManualSyncForm, MovideskSettingsForm
from integrations.movidesk.models import MovideskBackfill, MovideskSettings, MovideskTicket
from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.models import Trigger

SYNC_PERMISSION = "integrations.sync_movideskticket"
TOKEN_SOURCES = {
    "admin": _("token salvo aqui (criptografado)"),
    "environment": _("variável de ambiente MOVIDESK_TOKEN"),
    "demo": _("simulador de demonstração"),
}


def execution_url(execution_id: int) -> str:
    try:
        return reverse("admin:orchestration_execution_live", args=[execution_id])
    except NoReverseMatch:
        return reverse("admin:orchestration_execution_change", args=[execution_id])


@admin.register(MovideskTicket)
class MovideskTicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "subject_short",
        "status",
        "base_status",
        "owner_team",
        "urgency",
        "owner_name",
        "last_update",
    ]
    list_filter = ["base_status", "owner_team", "urgency", "category", "status", "last_update"]
    search_fields = ["=id", "subject", "protocol", "owner_name", "owner_email"]
    date_hierarchy = "last_update"
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) on a large table for every page is not worth it
    readonly_fields = [field.name for field in MovideskTicket._meta.fields]
    fieldsets = [
        (None, {"fields": ["id", "protocol", "subject", "status", "base_status", "category", "urgency"]}),
        (_("Responsável"), {"fields": ["owner_person_id", "owner_name", "owner_email", "owner_team"]}),
        (_("Clientes e datas"), {"fields": ["clients", "created_date", "last_update"]}),
        (_("Sincronização"), {"fields": ["first_synced_at", "synced_at", "raw"]}),
    ]

    @admin.display(description=_("assunto"), ordering="subject")
    def subject_short(self, ticket: MovideskTicket) -> str:
        return Truncator(ticket.subject).chars(80)

    # The role groups hold view_movideskticket and sync_movideskticket (movidesk/roles.py); only syncs write
    # tickets.

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"can_sync": request.user.has_perm(SYNC_PERMISSION), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        sync = path("sync/", self.admin_site.admin_view(self.sync_view), name="integrations_movideskticket_sync")
        return [sync, *super().get_urls()]

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        """ "Sincronizar agora": validates the window, queues the run and shows its live log."""
        if not request.user.has_perm(SYNC_PERMISSION):
            raise PermissionDenied
        form = ManualSyncForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            window = form.window
            execution = movidesk_sync_enqueue(
                date_from=window.date_from,
                date_to=window.date_to,
                trigger=Trigger.MANUAL,
                user=request.user,
                ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            self.message_user(
                request,
                _("Sincronização de %(window)s enfileirada (execução #%(id)d).")
                % {"window": window, "id": execution.pk},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(execution_url(execution.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Sincronizar tickets do Movidesk agora"),
            "form": form,
        }
        return TemplateResponse(request, "admin/integrations/movideskticket/sync.html", context)


@admin.register(MovideskSettings)
class MovideskSettingsAdmin(admin.ModelAdmin):
    """One row; the changelist goes straight to it. Saving rewrites the sync PeriodicTasks."""

    form = MovideskSettingsForm
    fieldsets = [
        (_("Acesso à API"), {"fields": ["token", "token_in_use"]}),
        (_("Sincronização automática"), {"fields": ["enabled", "sync_times", "scheduled_tasks"]}),
    ]
    readonly_fields = ["token_in_use", "scheduled_tasks"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        row = movidesk_settings_ensure()
        return HttpResponseRedirect(reverse("admin:integrations_movidesksettings_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: MovideskSettings, form: Any, change: bool) -> None:
        row = movidesk_settings_update(
            token=form.cleaned_data.get("token") or None,
            enabled=obj.enabled,
            sync_times=obj.sync_times,
        )
        times = ", ".join(row.sync_times) or _("nenhum")
        self.message_user(request, _("Agendamentos atualizados: %(times)s.") % {"times": times}, messages.INFO)

    @admin.display(description=_("token em uso"))
    def token_in_use(self, row: MovideskSettings) -> str:
        try:
            return str(TOKEN_SOURCES[movidesk_connection().source])
        except MovideskNotConfigured:
            return str(_("nenhum — Movidesk não configurado"))

    @admin.display(description=_("agendamentos no beat"))
    def scheduled_tasks(self, row: MovideskSettings) -> SafeString:
        tasks: QuerySet[PeriodicTask] = PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX).order_by("name")
        if not tasks:
            return format_html("<em>{}</em>", _("nenhum"))
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} — {}</li>",
                ((task.name, _("ativo") if task.enabled else _("desativado")) for task in tasks),
            ),
        )


@admin.register(MovideskBackfill)
class MovideskBackfillAdmin(admin.ModelAdmin):
    list_display = ["since", "until", "next_date", "windows_done", "last_execution", "updated_at"]
    readonly_fields = ["since", "until", "next_date", "windows_done", "last_execution", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
