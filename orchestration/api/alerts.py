"""Alerts, one's own notifications and one's notification preferences on the API."""

from typing import Any

from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from orchestration.api.datetime_filters import BoundedIsoDateTimeFilter
from orchestration.api.errors import Conflict
from orchestration.api.serializers import ErrorSerializer, UserSummarySerializer
from orchestration.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Notification,
    NotificationCategory,
    NotificationPreference,
    NotificationStatus,
    Severity,
)
from orchestration.services.alerts import alert_resolve_instance
from orchestration.services.notification_recipients import notification_preference_for, notification_preference_save
from orchestration.services.notifications import notification_mark_read

_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description=_("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Perfil sem permissão.")),
    404: OpenApiResponse(ErrorSerializer, description=_("Não encontrado.")),
}


# --- serializers ---------------------------------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    resolved_by = UserSummarySerializer(read_only=True, allow_null=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    resolved_automatically = serializers.SerializerMethodField()
    subject_type = serializers.SerializerMethodField(help_text=_("O modelo do objeto, como app.modelo."))

    class Meta:
        model = Alert
        fields = [
            "id",
            "fingerprint",
            "group",
            "group_title",
            "severity",
            "severity_display",
            "kind",
            "kind_display",
            "title",
            "details",
            "status",
            "status_display",
            "first_seen_at",
            "last_seen_at",
            "occurrences",
            "resolved_at",
            "resolved_by",
            "resolved_automatically",
            "execution",
            "subject_type",
            "subject_id",
            "owner",
        ]
        read_only_fields = fields

    def get_resolved_automatically(self, alert: Alert) -> bool:
        return alert.status == AlertStatus.RESOLVED and alert.resolved_by_id is None

    def get_subject_type(self, alert: Alert) -> str | None:
        return alert.subject_type.natural_key()[0] + "." + alert.subject_type.model if alert.subject_type else None


class NotificationSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    alerts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "channel_display",
            "category",
            "category_display",
            "group",
            "subject",
            "body",
            "alerts",
            "status",
            "status_display",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    webhook_configured = serializers.SerializerMethodField(
        label=_("webhook configurado"), help_text=_("Se há uma URL de webhook salva.")
    )

    class Meta:
        model = NotificationPreference
        fields = [
            "email_enabled",
            "webhook_url",
            "webhook_configured",
            "min_severity",
            "owned_only",
            "notify_failures",
            "notify_approvals",
            "notify_reauthorization",
            "notify_recoveries",
        ]
        extra_kwargs = {
            "webhook_url": {
                "required": False,
                "allow_blank": True,
                "validators": [URLValidator(schemes=["http", "https"])],
                "help_text": _("Só escrita. Omita para manter a salva; vazia remove."),
            }
        }

    def get_webhook_configured(self, preference: NotificationPreference) -> bool:
        return bool(preference.webhook_url)


# --- filters ------------------------------------------------------------------------------------------------


class AlertFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=AlertStatus.choices)
    severity = filters.MultipleChoiceFilter(choices=Severity.choices)
    kind = filters.MultipleChoiceFilter(choices=AlertKind.choices)
    group = filters.CharFilter(field_name="group", help_text=_("Grupo exato, por exemplo kommo:auth."))
    seen_after = BoundedIsoDateTimeFilter(
        field_name="last_seen_at", lookup_expr="gte", help_text=_("Vistos por último a partir deste instante.")
    )
    seen_before = BoundedIsoDateTimeFilter(
        field_name="first_seen_at", lookup_expr="lte", help_text=_("Vistos pela primeira vez até este instante.")
    )

    class Meta:
        model = Alert
        fields = ["status", "severity", "kind", "group"]


class NotificationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=NotificationStatus.choices)
    category = filters.MultipleChoiceFilter(choices=NotificationCategory.choices)

    class Meta:
        model = Notification
        fields = ["status", "category", "channel"]


# --- views --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("Lista alertas"), responses={200: AlertSerializer(many=True), 400: ErrorSerializer}),
    retrieve=extend_schema(summary=_("Detalhe de um alerta"), responses={200: AlertSerializer, **_ERRORS}),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Open and resolved problems of every job. Reading needs view_alert, resolving resolve_alert."""

    queryset = Alert.objects.select_related("resolved_by", "owner", "subject_type")
    serializer_class = AlertSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilter
    required_perms = {"resolve": ["orchestration.resolve_alert"], "*": ["orchestration.view_alert"]}

    @extend_schema(
        summary=_("Resolve um alerta aberto"),
        description=_("Resolvido por quem chamou; a recuperação é notificada depois da janela do grupo."),
        request=None,
        responses={200: AlertSerializer, 409: OpenApiResponse(ErrorSerializer, _("Já resolvido.")), **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        if not alert_resolve_instance(alert, user=request.user):
            raise Conflict(gettext("O alerta já está resolvido."))
        alert.refresh_from_db()
        return Response(AlertSerializer(alert).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Minhas notificações"), responses={200: NotificationSerializer(many=True), 400: ErrorSerializer}
    ),
    retrieve=extend_schema(summary=_("Detalhe de uma notificação minha"), responses={200: NotificationSerializer}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """What the signed-in person received; other people's notifications do not exist here (404)."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter
    required_perms = ["orchestration.view_notification"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user).prefetch_related("alerts")

    @extend_schema(
        summary=_("Marca uma notificação como lida"),
        request=None,
        responses={200: NotificationSerializer, 409: OpenApiResponse(ErrorSerializer, _("Ainda em envio.")), **_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        notification_mark_read(notification)
        return Response(NotificationSerializer(notification).data)


@extend_schema_view(
    get=extend_schema(
        summary=_("Minhas preferências de notificação"),
        description=_("Sem preferências salvas, valem as do perfil."),
        responses={200: NotificationPreferenceSerializer, 401: _ERRORS[401]},
    ),
    put=extend_schema(
        summary=_("Altera minhas preferências de notificação"),
        request=NotificationPreferenceSerializer,
        responses={200: NotificationPreferenceSerializer, 400: ErrorSerializer, 401: _ERRORS[401]},
    ),
)
class NotificationPreferencesView(GenericAPIView):
    """`users/me/notification-preferences`: any signed-in person, only their own."""

    serializer_class = NotificationPreferenceSerializer
    required_perms: list[str] = []

    def get_object(self) -> NotificationPreference:
        return notification_preference_for(self.request.user)  # type: ignore[arg-type]

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def put(self, request: Request) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data)
        serializer.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(serializer.validated_data)
        preference = notification_preference_save(user=request.user, **fields)  # type: ignore[arg-type]
        return Response(self.get_serializer(preference).data)
