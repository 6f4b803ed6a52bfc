"""API shapes of the Kommo integration: accounts (tokens write-only), the sync request, status, webhook."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integrations.kommo.accounts import subdomain_normalize
from integrations.kommo.models import AccountRole, KommoAccount, SyncType
from orchestration.api.fields import SecretField
from orchestration.exceptions import ValidationFailed


class KommoAccountSerializer(serializers.ModelSerializer):
    access_token = SecretField(required=False, allow_blank=True)
    refresh_token = SecretField(required=False, allow_blank=True)
    long_lived_token = SecretField(required=False, allow_blank=True)
    client_secret = SecretField(required=False, allow_blank=True)
    credentials = serializers.SerializerMethodField(help_text=_("oauth, long_lived ou none (nada guardado)."))

    class Meta:
        model = KommoAccount
        fields = [
            "id",
            "subdomain",
            "name",
            "role",
            "active",
            "access_token",
            "refresh_token",
            "expires_at",
            "long_lived_token",
            "client_id",
            "client_secret",
            "redirect_uri",
            "credentials",
            "auth_state",
            "auth_error",
            "last_sync_status",
            "last_sync_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["auth_state", "auth_error", "last_sync_status", "last_sync_at", "created_at", "updated_at"]
        extra_kwargs = {"expires_at": {"allow_null": True}, "last_sync_at": {"allow_null": True}}
        validators: list = []  # the one-master rule is checked in validate(), with a message that names it

    def get_credentials(self, account: KommoAccount) -> str:
        if account.long_lived_token:
            return "long_lived"
        return "oauth" if account.access_token or account.refresh_token else "none"

    def validate_subdomain(self, value: str) -> str:
        try:
            value = subdomain_normalize(value)
        except ValidationFailed as error:
            raise serializers.ValidationError(str(error)) from None
        others = KommoAccount.objects.filter(subdomain=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("Já existe uma conta com este subdomínio."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        role = attrs.get("role", getattr(self.instance, "role", AccountRole.REPLICA))
        active = attrs.get("active", getattr(self.instance, "active", True))
        if role == AccountRole.MASTER and active:
            masters = KommoAccount.objects.filter(role=AccountRole.MASTER, active=True)
            if self.instance is not None:
                masters = masters.exclude(pk=self.instance.pk)
            current = masters.first()
            if current is not None:
                raise serializers.ValidationError(
                    {"role": _("Já existe uma conta mestre ativa (%(subdomain)s).") % {"subdomain": current.subdomain}}
                )
        for name in ("access_token", "refresh_token", "long_lived_token", "client_secret"):
            if name in attrs and not attrs[name]:
                del attrs[name]  # blank keeps the stored secret
        return attrs


class KommoSyncRequestSerializer(serializers.Serializer):
    sync_type = serializers.ChoiceField(choices=SyncType.choices, default=SyncType.FULL)
    dry_run = serializers.BooleanField(default=False, help_text=_("Só mostra o plano de cada réplica."))
    accounts = serializers.ListField(
        child=serializers.CharField(max_length=63), required=False, help_text=_("Subdomínios; vazio: todas.")
    )
    prune = serializers.BooleanField(default=False, help_text=_("Apaga nas réplicas o que não existe na mestre."))
    failed_only = serializers.BooleanField(
        default=False,
        help_text=_("Repete só as réplicas com falha da última sincronização (os outros campos são ignorados)."),
    )


class KommoSyncAcceptedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    retried = serializers.IntegerField(required=False, help_text=_("Com failed_only: réplicas repetidas."))
    execution_url = serializers.CharField()
    stream_url = serializers.CharField()


class KommoExecutionSummarySerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    dry_run = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counters = serializers.DictField()
    error = serializers.CharField()


class KommoAccountStatusSerializer(serializers.Serializer):
    subdomain = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    active = serializers.BooleanField()
    auth_state = serializers.CharField()
    auth_error = serializers.CharField()
    last_sync = KommoExecutionSummarySerializer(allow_null=True)
    runs_30d = serializers.IntegerField()
    success_rate_30d = serializers.FloatField(allow_null=True, help_text=_("0 a 1; nulo sem execuções em 30 dias."))


class KommoStatusSerializer(serializers.Serializer):
    last_sync = KommoExecutionSummarySerializer(allow_null=True)
    accounts = KommoAccountStatusSerializer(many=True)


class KommoWebhookAnswerSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    started = serializers.BooleanField(help_text=_("Falso quando uma sincronização já estava na fila ou rodando."))


class KommoAuthorizeSerializer(serializers.Serializer):
    authorization_url = serializers.CharField()


class KommoReplicaDetailSerializer(KommoExecutionSummarySerializer):
    subdomain = serializers.CharField()
    plan = serializers.ListField(
        child=serializers.DictField(), help_text=_("object, action (create/update/extra/delete/conflict), name...")
    )
    errors = serializers.ListField(
        child=serializers.DictField(), help_text=_("Cada item recusado, com a resposta do Kommo.")
    )


class KommoSyncDetailSerializer(KommoExecutionSummarySerializer):
    sync_type = serializers.CharField()
    replicas = KommoReplicaDetailSerializer(many=True)
