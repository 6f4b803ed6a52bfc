"""Shapes of the calendar_sync API. Tokens never leave: no serializer has a token field."""

from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calendar_sync.models import (
    Appointment,
    CalendarSyncLog,
    ConflictResolution,
    GoogleCalendarIntegration,
    SyncDirection,
)
from orchestration.api.datetime_filters import MAX_OFFSET, MAX_YEAR, MIN_YEAR
from orchestration.models import User


class AppointmentSerializer(serializers.ModelSerializer):
    professional = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text=_("Id do profissional; padrão: você.")
    )
    sync_pending = serializers.SerializerMethodField(help_text=_("Alterado aqui e ainda não enviado ao Google."))

    class Meta:
        model = Appointment
        fields = [
            "id",
            "uid",
            "company",
            "professional",
            "client_name",
            "client_phone",
            "client_email",
            "service",
            "start",
            "duration_minutes",
            "status",
            "notes",
            "created_at",
            "updated_at",
            "google_event_id",
            "synced_at",
            "sync_pending",
            "sync_conflict",
        ]
        read_only_fields = [
            "uid",
            "company",
            "created_at",
            "updated_at",
            "google_event_id",
            "synced_at",
            "sync_conflict",
        ]

    def validate_start(self, value: datetime) -> datetime:
        # PostgreSQL refuses offsets beyond ±15:59 and Python years outside 1–9999 once converted: a 400 here.
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise serializers.ValidationError(_("Deslocamento de fuso fora do intervalo aceito (de -15:59 a +15:59)."))
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                _("Ano fora do intervalo aceito (de %(min)d a %(max)d).") % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return value.astimezone(UTC).replace(microsecond=0)

    def get_sync_pending(self, appointment: Appointment) -> bool:
        return appointment.changed_locally


class ResolveConflictSerializer(serializers.Serializer):
    keep = serializers.ChoiceField(choices=[("local", _("a versão do Orquestra")), ("google", _("a versão do Google"))])


class ExecutionAcceptedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    execution_url = serializers.CharField()
    stream_url = serializers.CharField()


class AuthUrlSerializer(serializers.Serializer):
    auth_url = serializers.CharField()
    state = serializers.CharField()


class OAuthCallbackSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=2048)
    state = serializers.CharField(max_length=2048)


class IntegrationSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(read_only=True)
    connected = serializers.SerializerMethodField()

    class Meta:
        model = GoogleCalendarIntegration
        fields = [
            "id",
            "user",
            "connected",
            "is_active",
            "disabled_reason",
            "google_email",
            "calendar_id",
            "calendar_name",
            "sync_direction",
            "last_sync_at",
            "token_expires_at",
            "channel_expires_at",
            "sync_past_days",
            "sync_future_days",
            "event_prefix",
            "include_client_info",
            "include_notes",
            "reminder_minutes",
            "conflict_resolution",
            "timezone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_connected(self, integration: GoogleCalendarIntegration) -> bool:
        return bool(integration.refresh_token)


class CalendarEntrySerializer(serializers.Serializer):
    id = serializers.CharField()
    summary = serializers.CharField()
    primary = serializers.BooleanField()
    access_role = serializers.CharField()


class IntegrationDetailSerializer(IntegrationSerializer):
    calendars = CalendarEntrySerializer(many=True, read_only=True, help_text=_("Agendas da conta Google."))
    calendars_error = serializers.CharField(read_only=True, allow_blank=True)

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "calendars", "calendars_error"]
        read_only_fields = fields


class CalendarStatusSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    connected = serializers.BooleanField()
    is_active = serializers.BooleanField()
    calendar_id = serializers.CharField(allow_blank=True)
    calendar_name = serializers.CharField(allow_blank=True)
    sync_direction = serializers.CharField(allow_blank=True)
    last_sync_at = serializers.DateTimeField(allow_null=True)
    token_expires_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField(allow_blank=True)
    pending_changes = serializers.IntegerField()
    conflicts = serializers.IntegerField()


class ToggleSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(required=False, help_text=_("Ausente: inverte o estado atual."))


class SyncSettingsSerializer(serializers.Serializer):
    sync_direction = serializers.ChoiceField(choices=SyncDirection.choices, required=False)
    sync_past_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    sync_future_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    event_prefix = serializers.CharField(max_length=60, allow_blank=True, required=False)
    include_client_info = serializers.BooleanField(required=False)
    include_notes = serializers.BooleanField(required=False)
    reminder_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=40320), max_length=5, required=False
    )
    conflict_resolution = serializers.ChoiceField(choices=ConflictResolution.choices, required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    calendar_id = serializers.CharField(max_length=300, required=False)

    def validate_timezone(self, value: str) -> str:
        import zoneinfo

        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Fuso horário desconhecido: %(zone)s.") % {"zone": value})
        return value


class SyncLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarSyncLog
        fields = [
            "id",
            "appointment",
            "user",
            "execution",
            "sync_direction",
            "action",
            "status",
            "google_event_id",
            "error_message",
            "synced_at",
        ]
        read_only_fields = fields


class LastSyncSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    user = serializers.CharField()
    email = serializers.CharField()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class LogTotalsSerializer(serializers.Serializer):
    success = serializers.IntegerField()
    error = serializers.IntegerField()
    skipped = serializers.IntegerField()


class MetricsSerializer(serializers.Serializer):
    active_integrations = serializers.IntegerField()
    integrations = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    log_totals = LogTotalsSerializer()
    expired_tokens = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    last_sync = LastSyncSerializer(many=True)
