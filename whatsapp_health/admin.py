"""WhatsApp sessions in the admin: registration (API key and webhook secret write-only), the history of
transitions and conversations, and the source's maintenance tasks as actions."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orchestration.admin.readonly import ReadOnlyAdminMixin
from orchestration.forms.secrets import SecretModelForm
from orchestration.models import Trigger
from orchestration.services.transitions import IllegalTransition
from whatsapp_health.enqueue import CHECK, CLEANUP, CONVERSATIONS, whatsapp_job_enqueue
from whatsapp_health.models import Conversation, SessionTransition, WhatsAppSession
from whatsapp_health.runs import session_check_run
from whatsapp_health.selectors import sessions_visible_to
from whatsapp_health.services import session_archive, session_restore, session_save

SYNC_PERMISSION = "sync"  # whatsapp_health.sync_whatsappsession, as ModelAdmin's has_sync_permission reads it


class WhatsAppSessionForm(SecretModelForm):
    base_url = forms.URLField(label=_("URL do provedor"), max_length=300, assume_scheme="https")

    class Meta:
        model = WhatsAppSession
        fields = [
            "name",
            "provider",
            "base_url",
            "api_key",
            "webhook_secret",
            "instance",
            "phone",
            "company",
            "owner",
            "is_default",
        ]


class SessionTransitionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionTransition
    fields = ["at", "from_status", "to_status", "source", "provider_state", "reason", "execution"]
    readonly_fields = fields
    ordering = ["-at", "-id"]
    extra = 0
    max_num = 0
    show_change_link = False


@admin.register(WhatsAppSession)
class WhatsAppSessionAdmin(admin.ModelAdmin):
    form = WhatsAppSessionForm
    list_display = [
        "name",
        "provider",
        "instance",
        "phone",
        "company",
        "status",
        "last_checked_at",
        "last_check_outcome",
        "consecutive_failures",
        "is_default",
    ]
    list_filter = ["provider", "status", "company", "last_check_outcome", "is_default"]
    search_fields = ["name", "instance", "phone"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "down_since",
        "last_checked_at",
        "last_check_outcome",
        "last_check_error",
        "consecutive_failures",
        "last_provider_state",
        "last_event_at",
        "last_activity_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "provider", "base_url", "api_key", "webhook_secret", "instance", "phone"]}),
        (_("A quem pertence"), {"fields": ["company", "owner", "is_default"]}),
        (_("Situação"), {"fields": readonly_fields}),
    ]
    inlines = [SessionTransitionInline]
    actions = [
        "sync_selected",
        "force_sync_selected",
        "archive_selected",
        "restore_selected",
        "sync_all",
        "force_sync_all",
        "cleanup_sessions",
        "check_inactive_conversations",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WhatsAppSession]:
        return sessions_visible_to(request.user)  # type: ignore[arg-type]

    def has_sync_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("whatsapp_health.sync_whatsappsession")

    def save_model(self, request: HttpRequest, obj: WhatsAppSession, form: WhatsAppSessionForm, change: bool) -> None:
        session_save(obj, **{name: getattr(obj, name) for name in ("is_default",)})

    def _check(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession], force: bool) -> None:
        changed = failed = 0
        for session in queryset.exclude(status="ARCHIVED"):
            execution = session_check_run(
                session,
                force=force,
                trigger=Trigger.MANUAL,
                user=request.user,
                ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )  # type: ignore[arg-type]
            changed += int(execution.counters.get("status_changed", 0))
            failed += int(execution.counters.get("checks_failed", 0))
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(
            request,
            gettext("Sessões verificadas: %(changed)d mudaram de situação, %(failed)d sem resposta.")
            % {"changed": changed, "failed": failed},
            level,
        )

    @admin.action(description=_("Sincronizar agora as sessões selecionadas"), permissions=[SYNC_PERMISSION])
    def sync_selected(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._check(request, queryset, force=False)

    @admin.action(description=_("Forçar a sincronização das sessões selecionadas"), permissions=[SYNC_PERMISSION])
    def force_sync_selected(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._check(request, queryset, force=True)

    def _manual(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession], change: object) -> None:
        done = refused = 0
        for session in queryset:
            try:
                change(session, user=request.user)  # type: ignore[operator]
                done += 1
            except IllegalTransition:
                refused += 1
        self.message_user(
            request,
            gettext("%(done)d sessões alteradas; %(refused)d já estavam nessa situação.")
            % {"done": done, "refused": refused},
        )

    @admin.action(description=_("Arquivar as sessões selecionadas"), permissions=[SYNC_PERMISSION])
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._manual(request, queryset, session_archive)

    @admin.action(description=_("Restaurar as sessões arquivadas selecionadas"), permissions=[SYNC_PERMISSION])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._manual(request, queryset, session_restore)

    def _enqueue(self, request: HttpRequest, job: str, **options: bool) -> None:
        execution = whatsapp_job_enqueue(
            job,
            trigger=Trigger.MANUAL,
            user=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            **options,
        )  # type: ignore[arg-type]
        self.message_user(
            request, gettext("Execução #%(id)d enfileirada; acompanhe-a em Execuções.") % {"id": execution.pk}
        )

    @admin.action(description=_("Sincronizar todas as sessões (independe da seleção)"), permissions=[SYNC_PERMISSION])
    def sync_all(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._enqueue(request, CHECK)

    @admin.action(
        description=_("Forçar a sincronização completa (independe da seleção)"), permissions=[SYNC_PERMISSION]
    )
    def force_sync_all(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._enqueue(request, CHECK, force=True, cleanup=True)

    @admin.action(description=_("Limpar sessões antigas (independe da seleção)"), permissions=[SYNC_PERMISSION])
    def cleanup_sessions(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._enqueue(request, CLEANUP)

    @admin.action(description=_("Encerrar conversas inativas (independe da seleção)"), permissions=[SYNC_PERMISSION])
    def check_inactive_conversations(self, request: HttpRequest, queryset: QuerySet[WhatsAppSession]) -> None:
        self._enqueue(request, CONVERSATIONS)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contact_id", "session", "status", "last_message_at", "closed_at"]
    list_filter = ["status", "session__provider"]
    search_fields = ["contact_id", "session__name"]
    readonly_fields = ["session", "contact_id", "status", "last_message_at", "closed_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return Conversation.objects.filter(session__in=sessions_visible_to(request.user)).select_related("session")  # type: ignore[arg-type]
