"""Kommo in the admin: accounts (tokens write-only) with the sync actions, and the per-replica reports."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from integrations.kommo.enqueue import kommo_sync_enqueue
from integrations.kommo.exceptions import KommoError
from integrations.kommo.models import AccountRole, KommoAccount, KommoReplicaReport, SyncType
from integrations.kommo.sync import kommo_sync_retry_failed, last_real_sync
from integrations.kommo.tokens import account_credentials_changed
from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.exceptions import ValidationFailed
from orchestration.forms.secrets import SecretModelForm
from orchestration.models import Trigger
from orchestration.services.fanout import NothingToRetry

SYNC_PERMISSION = "integrations.sync_kommoaccount"


class KommoAccountForm(SecretModelForm):
    class Meta:
        model = KommoAccount
        fields = [
            "subdomain",
            "name",
            "role",
            "active",
            "long_lived_token",
            "access_token",
            "refresh_token",
            "expires_at",
            "client_id",
            "client_secret",
            "redirect_uri",
        ]


@admin.register(KommoAccount)
class KommoAccountAdmin(admin.ModelAdmin):
    form = KommoAccountForm
    list_display = ["subdomain", "name", "role", "active", "auth_state", "last_sync_status", "last_sync_at"]
    list_filter = ["role", "active", "auth_state", "last_sync_status"]
    search_fields = ["subdomain", "name"]
    readonly_fields = ["auth_state", "auth_error", "last_sync_status", "last_sync_at", "created_at", "updated_at"]
    actions = ["sync_full", "sync_pipelines", "sync_custom_fields", "plan_full", "retry_failed"]

    def save_model(self, request: HttpRequest, obj: KommoAccount, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if {"access_token", "refresh_token", "long_lived_token"} & set(form.changed_data):
            account_credentials_changed(obj)

    def _sync(
        self, request: HttpRequest, queryset: QuerySet[KommoAccount], sync_type: str, dry_run: bool = False
    ) -> None:
        replicas = [a.subdomain for a in queryset if a.role == AccountRole.REPLICA]
        try:
            execution = kommo_sync_enqueue(
                sync_type=sync_type,
                dry_run=dry_run,
                accounts=replicas or None,
                trigger=Trigger.MANUAL,
                user=request.user,
                ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except (ValidationFailed, KommoError) as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            format_html(
                str(_("Sincronização enfileirada: <a href='{}'>execução #{}</a> ({} réplicas).")),
                f"/admin/orchestration/execution/{execution.pk}/change/",
                execution.pk,
                len(replicas) or _("todas as"),
            ),
            messages.SUCCESS,
        )

    @admin.action(description=_("Sincronizar funis e campos (completa)"), permissions=["sync"])
    def sync_full(self, request: HttpRequest, queryset: QuerySet[KommoAccount]) -> None:
        self._sync(request, queryset, SyncType.FULL)

    @admin.action(description=_("Sincronizar só funis e etapas"), permissions=["sync"])
    def sync_pipelines(self, request: HttpRequest, queryset: QuerySet[KommoAccount]) -> None:
        self._sync(request, queryset, SyncType.PIPELINES)

    @admin.action(description=_("Sincronizar só campos personalizados"), permissions=["sync"])
    def sync_custom_fields(self, request: HttpRequest, queryset: QuerySet[KommoAccount]) -> None:
        self._sync(request, queryset, SyncType.CUSTOM_FIELDS)

    @admin.action(description=_("Simular sincronização completa (só o plano)"), permissions=["sync"])
    def plan_full(self, request: HttpRequest, queryset: QuerySet[KommoAccount]) -> None:
        self._sync(request, queryset, SyncType.FULL, dry_run=True)

    @admin.action(description=_("Repetir as réplicas com falha da última sincronização"), permissions=["sync"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[KommoAccount]) -> None:
        parent = last_real_sync()
        if parent is None:
            self.message_user(request, _("Nenhuma sincronização anterior para repetir."), messages.WARNING)
            return
        try:
            retried = kommo_sync_retry_failed(parent=parent, user=request.user)  # type: ignore[arg-type]
        except NothingToRetry as error:
            self.message_user(request, str(error), messages.WARNING)
            return
        self.message_user(
            request,
            _("Execução #%(id)d: %(count)d réplicas enfileiradas de novo.") % {"id": parent.pk, "count": len(retried)},
            messages.SUCCESS,
        )

    def has_sync_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(SYNC_PERMISSION))


@admin.register(KommoReplicaReport)
class KommoReplicaReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["account", "execution_link", "dry_run", "planned", "failures", "created_at"]
    list_filter = ["dry_run", "created_at"]
    search_fields = ["account__subdomain", "account__name"]

    @admin.display(description=_("execução"))
    def execution_link(self, report: KommoReplicaReport) -> SafeString:
        return format_html(
            "<a href='/admin/orchestration/execution/{}/change/'>#{}</a>", report.execution_id, report.execution_id
        )

    @admin.display(description=_("mudanças planejadas"))
    def planned(self, report: KommoReplicaReport) -> int:
        return sum(1 for row in report.plan if row.get("action") not in ("unchanged", "extra"))

    @admin.display(description=_("erros"))
    def failures(self, report: KommoReplicaReport) -> int:
        return len(report.errors)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("account")
