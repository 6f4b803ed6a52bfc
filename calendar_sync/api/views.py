"""/api/v1/google-calendar/: each signed-in user manages their own integration (the source's endpoints), plus
the metrics and the push-notification endpoint Google posts to."""

from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calendar_sync.api.appointments import accepted
from calendar_sync.api.serializers import (
    AuthUrlSerializer,
    CalendarStatusSerializer,
    ExecutionAcceptedSerializer,
    IntegrationDetailSerializer,
    IntegrationSerializer,
    MetricsSerializer,
    OAuthCallbackSerializer,
    SyncLogSerializer,
    SyncSettingsSerializer,
    ToggleSerializer,
)
from calendar_sync.channels import channel_integration
from calendar_sync.configuration import calendar_client, google_endpoints
from calendar_sync.enqueue import appointment_sync_enqueue, disconnect_enqueue, integration_sync_enqueue
from calendar_sync.exceptions import CalendarNotConfigured
from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.oauth import client_calendars, oauth_complete, oauth_start
from calendar_sync.selectors import appointments_visible, calendar_metrics, integration_of, sync_logs_visible
from calendar_sync.services import integration_settings_update, integration_toggle
from orchestration.api.serializers import ErrorSerializer
from orchestration.exceptions import ValidationFailed
from orchestration.models import Trigger
from orchestration.outbound import ExternalApiError

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Dados inválidos.")),
    401: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Sem permissão.")),
    404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Sem integração com o Google Agenda.")),
    409: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Google Agenda não configurado ou recusou.")),
}


def _meta(request: Request) -> dict[str, str]:
    return {"ip": request.META.get("REMOTE_ADDR", ""), "user_agent": request.META.get("HTTP_USER_AGENT", "")}


def _own_integration(request: Request) -> GoogleCalendarIntegration:
    integration = integration_of(request.user)  # type: ignore[arg-type]
    if integration is None or not integration.refresh_token:
        raise NotFound(_("Você não conectou uma agenda do Google."))
    return integration


class AuthUrlView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("URL de autorização do Google (acesso offline)"),
        responses={200: AuthUrlSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(AuthUrlSerializer(oauth_start(user=request.user)).data)  # type: ignore[arg-type]


class OAuthCallbackView(APIView):
    """POST with code and state (API clients); GET is where Google sends the browser back."""

    required_perms = {"post": [], "get": []}

    def get_permissions(self) -> list:  # type: ignore[type-arg]
        if getattr(self.request, "method", None) == "GET":
            return []  # the signed, single-use state names the user; the browser may have no API session
        return super().get_permissions()

    def get_authenticators(self) -> list:  # type: ignore[type-arg]
        # Called before the DRF request exists (and with none at all while the schema is generated).
        if getattr(self.request, "method", None) == "GET":
            return []
        return super().get_authenticators()

    @extend_schema(
        summary=gettext_lazy("Conclui a autorização com o código do Google"),
        request=OAuthCallbackSerializer,
        responses={200: IntegrationSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = OAuthCallbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration = oauth_complete(user=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(IntegrationSerializer(integration).data)

    @extend_schema(
        summary=gettext_lazy("Retorno do navegador vindo do Google"),
        parameters=[OpenApiParameter("code", str), OpenApiParameter("state", str), OpenApiParameter("error", str)],
        responses={302: OpenApiResponse(description=gettext_lazy("Para o admin da integração.")), **_ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        if request.query_params.get("error"):
            raise ValidationFailed(
                _("Autorização recusada no Google: %(error)s") % {"error": request.query_params["error"][:200]}
            )
        serializer = OAuthCallbackSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        integration = oauth_complete(user=None, **serializer.validated_data)
        return HttpResponseRedirect(
            reverse("admin:calendar_sync_googlecalendarintegration_change", args=[integration.pk])
        )


class StatusView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Situação da sua integração"), responses={200: CalendarStatusSerializer, **_ERRORS}
    )
    def get(self, request: Request) -> Response:
        try:
            google_endpoints()
            configured = True
        except CalendarNotConfigured:
            configured = False
        integration = integration_of(request.user)  # type: ignore[arg-type]
        mine = Appointment.objects.filter(professional_id=request.user.pk)
        body = {
            "configured": configured,
            "connected": bool(integration and integration.refresh_token),
            "is_active": bool(integration and integration.is_active),
            "calendar_id": integration.calendar_id if integration else "",
            "calendar_name": integration.calendar_name if integration else "",
            "sync_direction": integration.sync_direction if integration else "",
            "last_sync_at": integration.last_sync_at if integration else None,
            "token_expires_at": integration.token_expires_at if integration else None,
            "disabled_reason": integration.disabled_reason if integration else "",
            "pending_changes": mine.filter(revision__gt=F("synced_revision")).count() if integration else 0,
            "conflicts": mine.exclude(sync_conflict="").count(),
        }
        return Response(CalendarStatusSerializer(body).data)


class IntegrationView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Sua integração, com as agendas da conta Google"),
        responses={200: IntegrationDetailSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        integration = _own_integration(request)
        calendars: list[dict[str, object]] = []
        error = ""
        client = calendar_client(integration)
        try:
            calendars = client_calendars(client)
        except ExternalApiError as failure:
            error = str(failure)
        finally:
            client.close()
        data = IntegrationSerializer(integration).data
        return Response({**data, "calendars": calendars, "calendars_error": error})

    @extend_schema(
        summary=gettext_lazy("Desconecta: remove os eventos criados, revoga a autorização"),
        description=gettext_lazy("A sincronização para na hora; um worker remove os eventos e revoga o acesso."),
        responses={202: ExecutionAcceptedSerializer, **_ERRORS},
    )
    def delete(self, request: Request) -> Response:
        integration = _own_integration(request)
        return accepted(disconnect_enqueue(integration, user=request.user, request_meta=_meta(request)))  # type: ignore[arg-type]


class ToggleView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Ativa ou desativa a sincronização"),
        request=ToggleSerializer,
        responses={200: IntegrationSerializer, **_ERRORS},
    )
    def put(self, request: Request) -> Response:
        serializer = ToggleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration = integration_toggle(
            integration=_own_integration(request), active=serializer.validated_data.get("is_active")
        )
        return Response(IntegrationSerializer(integration).data)

    post = put


class SyncSettingsView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Altera as configurações de sincronização"),
        request=SyncSettingsSerializer,
        responses={200: IntegrationSerializer, **_ERRORS},
    )
    def put(self, request: Request) -> Response:
        integration = _own_integration(request)
        serializer = SyncSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "calendar_id" in changes and changes["calendar_id"] != integration.calendar_id:
            client = calendar_client(integration)
            try:
                calendars = {c["id"]: c for c in client_calendars(client)}
            finally:
                client.close()
            if changes["calendar_id"] not in calendars:
                raise serializers.ValidationError({"calendar_id": [_("Esta agenda não está na sua conta Google.")]})
            integration.calendar_name = str(calendars[changes["calendar_id"]]["summary"])
        integration = integration_settings_update(integration=integration, **changes)
        return Response(IntegrationSerializer(integration).data)

    patch = put


class ManualSyncView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Sincroniza agora (um worker faz o trabalho)"),
        request=None,
        responses={202: ExecutionAcceptedSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        integration = _own_integration(request)
        if not integration.is_active:
            raise NotFound(_("A sincronização está desativada: ative-a antes."))
        execution = integration_sync_enqueue(
            integration,
            trigger=Trigger.API,
            user=request.user,  # type: ignore[arg-type]
            request_meta=_meta(request),
        )
        return accepted(execution)


class AppointmentSyncView(APIView):
    required_perms = ["calendar_sync.sync_appointment"]

    @extend_schema(
        summary=gettext_lazy("Envia um agendamento ao Google agora"),
        request=None,
        responses={202: ExecutionAcceptedSerializer, **_ERRORS},
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = get_object_or_404(appointments_visible(request.user), pk=appointment_id)  # type: ignore[arg-type]
        integration = GoogleCalendarIntegration.objects.filter(user_id=appointment.professional_id).first()
        if integration is None or not integration.refresh_token or not integration.is_active:
            raise NotFound(_("O profissional deste agendamento não tem integração ativa com o Google Agenda."))
        execution = appointment_sync_enqueue(
            appointment,
            trigger=Trigger.API,
            user=request.user,  # type: ignore[arg-type]
            request_meta=_meta(request),
        )
        return accepted(execution)


class SyncLogsView(APIView):
    required_perms: list[str] = []

    @extend_schema(
        summary=gettext_lazy("Registros de sincronização (os seus; o administrador vê todos)"),
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("action", str),
            OpenApiParameter("sync_direction", str),
            OpenApiParameter("limit", int),
        ],
        responses={200: SyncLogSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        logs = sync_logs_visible(request.user)  # type: ignore[arg-type]
        if not request.user.has_role("ADMINISTRATOR"):  # type: ignore[union-attr]
            logs = logs.filter(user_id=request.user.pk)
        for name in ("status", "action", "sync_direction"):
            if request.query_params.get(name):
                logs = logs.filter(**{name: request.query_params[name]})
        try:
            limit = max(1, min(500, int(request.query_params.get("limit", 100))))
        except ValueError:
            raise serializers.ValidationError({"limit": [_("Informe um número inteiro.")]}) from None
        return Response(SyncLogSerializer(logs[:limit], many=True).data)


class MetricsView(APIView):
    required_perms = ["calendar_sync.view_calendarsynclog"]

    @extend_schema(
        summary=gettext_lazy("Métricas: integrações ativas, taxa de sucesso, tokens expirados, última sincronização"),
        responses={200: MetricsSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(MetricsSerializer(calendar_metrics(request.user)).data)  # type: ignore[arg-type]


class NotificationView(APIView):
    """Google's push: an empty POST with X-Goog-* headers. The channel token is verified; `exists` starts an
    incremental sync, the `sync` handshake does nothing."""

    authentication_classes: list = []  # type: ignore[type-arg]
    permission_classes: list = []  # type: ignore[type-arg]

    @extend_schema(
        summary=gettext_lazy("Notificação de mudança enviada pelo Google (canal de push)"),
        request=None,
        responses={204: None, 202: None, 404: OpenApiResponse(ErrorSerializer)},
    )
    def post(self, request: Request) -> Response:
        integration = channel_integration(
            channel_id=request.headers.get("X-Goog-Channel-ID", ""),
            token=request.headers.get("X-Goog-Channel-Token", ""),
        )
        if integration is None:
            raise NotFound(_("Canal desconhecido."))
        if request.headers.get("X-Goog-Resource-State") == "sync":
            return Response(status=status.HTTP_204_NO_CONTENT)
        integration_sync_enqueue(integration, trigger=Trigger.WEBHOOK)
        return Response(status=status.HTTP_202_ACCEPTED)
