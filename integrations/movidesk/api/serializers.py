"""API shapes of the Movidesk integration: tickets, the manual sync request, the settings."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integrations.movidesk.configuration import MAX_SYNC_TIMES, sync_times_normalize
from integrations.movidesk.models import MovideskSettings, MovideskTicket
from orchestration.api.fields import SecretField
from orchestration.exceptions import ValidationFailed


class TicketSerializer(serializers.ModelSerializer):
    base_status_display = serializers.CharField(source="get_base_status_display", read_only=True)

    class Meta:
        model = MovideskTicket
        fields = [
            "id",
            "protocol",
            "subject",
            "status",
            "base_status",
            "base_status_display",
            "category",
            "urgency",
            "owner_person_id",
            "owner_name",
            "owner_email",
            "owner_team",
            "clients",
            "created_date",
            "last_update",
            "first_synced_at",
            "synced_at",
        ]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "raw"]
        read_only_fields = fields


class MovideskSyncRequestSerializer(serializers.Serializer):
    """`from` and `to` are Python keywords, so the fields are declared here rather than as attributes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateField(help_text=_("Primeiro dia (AAAA-MM-DD, horário de Brasília).")),
            "to": serializers.DateField(help_text=_("Último dia, inclusive; no máximo 5 dias contando os dois.")),
        }


class MovideskSyncAcceptedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    execution_url = serializers.CharField(help_text=_("A execução no ledger (situação, contadores, erro)."))
    stream_url = serializers.CharField(help_text=_("As linhas de log ao vivo (Server-Sent Events)."))


class MovideskSettingsSerializer(serializers.ModelSerializer):
    """The token is write-only: the answer says only whether one is stored and which one is in use."""

    token = SecretField(required=False, allow_blank=True, help_text=_("Em branco ou ausente mantém o atual."))
    clear_token = serializers.BooleanField(write_only=True, required=False, default=False)
    token_stored = serializers.SerializerMethodField()
    token_source = serializers.SerializerMethodField(
        help_text=_("De onde vem o token em uso: admin, environment, demo ou vazio (não configurado).")
    )
    sync_times = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        min_length=1,
        max_length=MAX_SYNC_TIMES,
        help_text=_('Horários "HH:MM"; repetidos são unidos. Para parar a sincronização automática, use `enabled`.'),
    )
    # Null until the settings are first saved (the defaults are answered from an unsaved row).
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = MovideskSettings
        fields = ["token", "clear_token", "token_stored", "token_source", "enabled", "sync_times", "updated_at"]
        read_only_fields = ["updated_at"]

    def get_token_stored(self, row: MovideskSettings) -> bool:
        return bool(row.token)

    def get_token_source(self, row: MovideskSettings) -> str:
        return str(self.context.get("token_source", ""))

    def validate_sync_times(self, value: list[str]) -> list[str]:
        try:
            return sync_times_normalize(value)
        except ValidationFailed as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["sync_times"] = list(instance.sync_times or [])
        return data
