"""Alerts, notifications and notification preferences in the admin. Alerts and notifications are written
only by the product: viewing, plus the resolve and resend actions."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.forms.secrets import SecretModelForm
from orchestration.models import Alert, AlertStatus, Notification, NotificationPreference
from orchestration.services.alerts import alert_resolve_instance
from orchestration.services.notifications import notifications_resend


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "group", "severity", "status", "occurrences", "first_seen_at", "last_seen_at")
    list_filter = ("status", "severity", "kind", "group")
    search_fields = ("fingerprint", "title", "details")
    date_hierarchy = "last_seen_at"
    readonly_fields = (
        "fingerprint",
        "group",
        "group_title",
        "severity",
        "kind",
        "title",
        "details",
        "status",
        "first_seen_at",
        "last_seen_at",
        "occurrences",
        "resolved_at",
        "resolved_by",
        "execution",
        "subject_type",
        "subject_id",
        "owner",
        "notified_at",
        "recovery_notified_at",
    )
    fields = readonly_fields
    actions = ["resolve_selected"]

    def has_resolve_alert_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orchestration.resolve_alert")

    @admin.action(description=_("Resolver alertas selecionados"), permissions=["resolve_alert"])
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        resolved = sum(
            alert_resolve_instance(alert, user=request.user)  # type: ignore[arg-type]
            for alert in queryset.filter(status=AlertStatus.OPEN)
        )
        self.message_user(
            request,
            ngettext("%(count)d alerta resolvido.", "%(count)d alertas resolvidos.", resolved) % {"count": resolved},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "recipient", "channel", "category", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "category")
    search_fields = ("subject", "recipient__email", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = (
        "recipient",
        "channel",
        "category",
        "group",
        "subject",
        "body",
        "alerts",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "read_at",
    )
    fields = readonly_fields
    actions = ["resend_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        queryset = super().get_queryset(request).select_related("recipient")
        # Everyone may look at what they received; administrators at everything.
        return queryset if request.user.is_superuser else queryset.filter(recipient_id=request.user.pk)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Reenviar notificações selecionadas"), permissions=["resend"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        queued = notifications_resend(queryset)
        self.message_user(
            request,
            ngettext("%(count)d notificação na fila de novo.", "%(count)d notificações na fila de novo.", queued)
            % {"count": queued},
            messages.SUCCESS,
        )


class NotificationPreferenceForm(SecretModelForm):
    class Meta:
        model = NotificationPreference
        fields = (
            "email_enabled",
            "webhook_url",
            "min_severity",
            "owned_only",
            "notify_failures",
            "notify_approvals",
            "notify_reauthorization",
            "notify_recoveries",
        )


class NotificationPreferenceInline(admin.StackedInline):
    """On the user's page. Without a saved row, the role's defaults apply."""

    model = NotificationPreference
    form = NotificationPreferenceForm
    can_delete = True
    extra = 0
    max_num = 1
    verbose_name_plural = _("preferências de notificação (sem elas, valem as do perfil)")
