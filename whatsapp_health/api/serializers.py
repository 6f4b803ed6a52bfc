from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orchestration.models import Company, User
from whatsapp_health.models import CheckOutcome, Conversation, SessionTransition, WhatsAppSession


class WhatsAppSessionSerializer(serializers.ModelSerializer):
    api_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False, help_text=_("Nunca é devolvida.")
    )
    webhook_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False, help_text=_("Nunca é devolvido.")
    )
    has_api_key = serializers.SerializerMethodField()
    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all(), required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    # Blank until the first check: declared so that the schema admits "" (the fuzzer found a 201 breaking it).
    last_check_outcome = serializers.ChoiceField(choices=CheckOutcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = WhatsAppSession
        fields = [
            "id",
            "name",
            "provider",
            "base_url",
            "api_key",
            "webhook_secret",
            "has_api_key",
            "instance",
            "phone",
            "company",
            "owner",
            "is_default",
            "status",
            "status_changed_at",
            "down_since",
            "last_checked_at",
            "last_check_outcome",
            "last_check_error",
            "last_check_ok_at",
            "consecutive_failures",
            "last_provider_state",
            "last_activity_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "status_changed_at",
            "down_since",
            "last_checked_at",
            "last_check_outcome",
            "last_check_error",
            "last_check_ok_at",
            "consecutive_failures",
            "last_provider_state",
            "last_activity_at",
            "created_at",
            "updated_at",
        ]
        # The two unique constraints are checked by the database and answered by the view; DRF's own
        # validator would read the partial default constraint as "one row per company".
        validators: list = []

    def get_has_api_key(self, session: WhatsAppSession) -> bool:
        return bool(session.api_key)

    def validate(self, attrs: dict) -> dict:
        if self.instance is None and not attrs.get("api_key"):
            raise serializers.ValidationError({"api_key": [_("Informe a chave de API da sessão.")]})
        return attrs


class SessionTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionTransition
        fields = ["id", "from_status", "to_status", "at", "source", "provider_state", "reason", "execution"]


class ConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "contact_id", "last_message_at", "status", "closed_at"]


class WhatsAppStatusSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    timestamp = serializers.CharField(help_text=_("Instante da consulta, ISO 8601 em UTC."))
    session = serializers.IntegerField()
    status = serializers.CharField(allow_null=True, help_text=_("Situação real no provedor (nula se não respondeu)."))
    stored_status = serializers.CharField()
    error = serializers.CharField(allow_blank=True)


class SessionQuerySerializer(serializers.Serializer):
    session = serializers.IntegerField(required=False, help_text=_("Id da sessão; sem ele, a sessão padrão."))


class SessionCheckResultSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    execution_status = serializers.CharField()
    outcome = serializers.CharField()
    session = WhatsAppSessionSerializer()


class AcceptedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    execution_url = serializers.CharField()
    stream_url = serializers.CharField()


class WebhookResultSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    event = serializers.CharField()
    applied = serializers.BooleanField()
