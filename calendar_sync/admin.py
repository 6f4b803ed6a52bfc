"""calendar_sync in the admin, scoped like the API: an administrator sees every company; anyone else their
company's appointments and logs and only their own integration. Writes go through the services, so a
change made here is sent to Google after commit, as one made through the API."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_sync.enqueue import (
    appointment_sync_enqueue,
    disconnect_enqueue,
    integration_sync_enqueue,
    pushing_integration,
)
from calendar_sync.exceptions import CalendarNotConfigured
from calendar_sync.models import Appointment, CalendarSyncLog, GoogleCalendarIntegration
from calendar_sync.oauth import oauth_start
from calendar_sync.selectors import appointments_visible, calendar_metrics, integrations_visible, sync_logs_visible
from calendar_sync.services import appointment_create, appointment_delete, appointment_update, can_manage_all
from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.models import Trigger, User

SYNC_FIELDS = ["uid", "google_event_id", "google_etag", "revision", "synced_revision", "synced_at", "sync_conflict"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["start", "service", "client_name", "professional", "status", "company", "synced_at", "conflict"]
    list_filter = ["status", "start"]
    search_fields = ["client_name", "client_email", "service", "professional__name", "professional__email"]
    date_hierarchy = "start"
    readonly_fields = SYNC_FIELDS
    actions = ["sync_now"]
    fieldsets = [
        (None, {"fields": ["company", "professional", "service", "start", "duration_minutes", "status"]}),
        (gettext_lazy("Cliente"), {"fields": ["client_name", "client_phone", "client_email", "notes"]}),
        (gettext_lazy("Google Agenda"), {"fields": SYNC_FIELDS}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return appointments_visible(request.user)  # type: ignore[arg-type]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return ["status", "start", "company"] if can_manage_all(request.user) else ["status", "start"]  # type: ignore[arg-type]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if can_manage_all(request.user) else ["company"]  # type: ignore[arg-type]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if can_manage_all(request.user):  # type: ignore[arg-type]
            return self.fieldsets
        first = [name for name in self.fieldsets[0][1]["fields"] if name != "company"]
        return [(None, {"fields": first}), *self.fieldsets[1:]]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user = request.user
        if db_field.name == "professional" and not can_manage_all(user):  # type: ignore[arg-type]
            kwargs["queryset"] = User.objects.filter(company_id=getattr(user, "company_id", None), is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("conflito"), boolean=True)
    def conflict(self, appointment: Appointment) -> bool:
        return bool(appointment.sync_conflict)

    def save_model(self, request: HttpRequest, obj: Appointment, form: forms.ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            fresh = Appointment.objects.get(pk=obj.pk)
            saved = appointment_update(appointment=fresh, user=request.user, **data)  # type: ignore[arg-type]
        else:
            fields = {
                name: value for name, value in form.cleaned_data.items() if name not in ("professional", "company")
            }
            company = form.cleaned_data.get("company") if can_manage_all(request.user) else None  # type: ignore[arg-type]
            saved = appointment_create(
                professional=form.cleaned_data["professional"],
                company=company,
                user=request.user,
                **fields,  # type: ignore[arg-type]
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Appointment) -> None:
        appointment_delete(appointment=obj, user=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        for appointment in queryset:
            appointment_delete(appointment=appointment, user=request.user)  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Enviar ao Google Agenda agora"), permissions=["sync"])
    def sync_now(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        sent = 0
        for appointment in queryset:
            if pushing_integration(appointment) is not None:
                appointment_sync_enqueue(appointment, trigger=Trigger.MANUAL, user=request.user)  # type: ignore[arg-type]
                sent += 1
        self.message_user(request, _("%(count)d agendamentos enviados para sincronização.") % {"count": sent})

    def has_sync_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calendar_sync.sync_appointment")


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = GoogleCalendarIntegration
        fields = [
            "sync_direction",
            "sync_past_days",
            "sync_future_days",
            "event_prefix",
            "include_client_info",
            "include_notes",
            "reminder_minutes",
            "conflict_resolution",
            "timezone",
        ]


@admin.register(GoogleCalendarIntegration)
class GoogleCalendarIntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = ["user", "calendar_name", "sync_direction", "is_active", "last_sync_at", "token_expires_at"]
    list_filter = ["is_active", "sync_direction", "conflict_resolution"]
    search_fields = ["user__email", "user__name", "calendar_name", "google_email"]
    readonly_fields = [
        "user",
        "google_email",
        "calendar_id",
        "calendar_name",
        "is_active",
        "disabled_reason",
        "token_expires_at",
        "last_sync_at",
        "channel_expires_at",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["user", "google_email", "calendar_id", "calendar_name", "is_active", "disabled_reason"]}),
        (gettext_lazy("Sincronização"), {"fields": IntegrationForm.Meta.fields}),
        (
            gettext_lazy("Situação"),
            {"fields": ["token_expires_at", "last_sync_at", "channel_expires_at", "created_at"]},
        ),
    ]
    actions = ["sync_now", "toggle", "disconnect"]
    change_list_template = "admin/calendar_sync/googlecalendarintegration/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[GoogleCalendarIntegration]:
        return integrations_visible(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # connecting is Google's consent page: "Conectar minha agenda do Google"

    def get_urls(self) -> list[URLPattern]:
        connect = path("connect/", self.admin_site.admin_view(self.connect_view), name="calendar_sync_connect")
        return [connect, *super().get_urls()]

    def connect_view(self, request: HttpRequest) -> HttpResponse:
        try:
            return HttpResponseRedirect(oauth_start(user=request.user)["auth_url"])  # type: ignore[arg-type]
        except CalendarNotConfigured as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:calendar_sync_googlecalendarintegration_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"metrics": calendar_metrics(request.user), **(extra_context or {})}  # type: ignore[arg-type]
        return super().changelist_view(request, extra)

    @admin.action(description=gettext_lazy("Sincronizar agora"))
    def sync_now(self, request: HttpRequest, queryset: QuerySet[GoogleCalendarIntegration]) -> None:
        for integration in queryset.filter(is_active=True).exclude(refresh_token=""):
            integration_sync_enqueue(integration, trigger=Trigger.MANUAL, user=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Sincronização enfileirada."))

    @admin.action(description=gettext_lazy("Ativar/desativar a sincronização"))
    def toggle(self, request: HttpRequest, queryset: QuerySet[GoogleCalendarIntegration]) -> None:
        from calendar_sync.services import integration_toggle

        for integration in queryset:
            try:
                integration_toggle(integration=integration)
            except Exception as error:  # a ValidationError: not connected
                self.message_user(request, f"{integration}: {error}", messages.WARNING)

    @admin.action(description=gettext_lazy("Desconectar (remove os eventos criados e revoga o acesso)"))
    def disconnect(self, request: HttpRequest, queryset: QuerySet[GoogleCalendarIntegration]) -> None:
        for integration in queryset.exclude(refresh_token=""):
            disconnect_enqueue(integration, user=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Desconexão enfileirada."))


@admin.register(CalendarSyncLog)
class CalendarSyncLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["synced_at", "user", "sync_direction", "action", "status", "appointment", "google_event_id"]
    list_filter = ["status", "sync_direction", "action"]
    search_fields = ["google_event_id", "error_message", "user__email"]
    date_hierarchy = "synced_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarSyncLog]:
        return sync_logs_visible(request.user)  # type: ignore[arg-type]
