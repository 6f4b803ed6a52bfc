"""Movidesk on the API: browse tickets, ask for a manual sync (runs in a worker), edit the settings."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.movidesk.api.serializers import (
    MovideskSettingsSerializer,
    MovideskSyncAcceptedSerializer,
    MovideskSyncRequestSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from integrations.movidesk.configuration import (
    movidesk_connection,
    movidesk_settings_get,
    movidesk_settings_update,
)
from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.exceptions import MovideskNotConfigured
from integrations.movidesk.models import BaseStatus, MovideskSettings, MovideskTicket
from orchestration.api.datetime_filters import BoundedIsoDateTimeFilter
from orchestration.api.serializers import ErrorSerializer
from orchestration.models import Trigger

SYNC_PERMISSION = "integrations.sync_movideskticket"
_AUTH_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description=_("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Perfil sem permissão.")),
}


class MovideskTicketFilter(filters.FilterSet):
    status = filters.CharFilter(help_text=_("Situação exata, como no Movidesk (ex.: Em atendimento)."))
    base_status = filters.MultipleChoiceFilter(choices=BaseStatus.choices, help_text=_("Uma ou mais situações base."))
    owner_team = filters.CharFilter(help_text=_("Equipe exata."))
    urgency = filters.CharFilter()
    category = filters.CharFilter()
    owner_email = filters.CharFilter(lookup_expr="iexact")
    last_update_after = BoundedIsoDateTimeFilter(
        field_name="last_update", lookup_expr="gte", help_text=_("Atualizados a partir deste instante (ISO 8601).")
    )
    last_update_before = BoundedIsoDateTimeFilter(
        field_name="last_update", lookup_expr="lt", help_text=_("Atualizados antes deste instante (ISO 8601).")
    )
    ordering = filters.OrderingFilter(fields=("last_update", "id", "created_date"))

    class Meta:
        model = MovideskTicket
        fields = ["status", "base_status", "owner_team", "urgency", "category"]


@extend_schema_view(
    list=extend_schema(summary=_("Lista tickets do Movidesk sincronizados")),
    retrieve=extend_schema(summary=_("Detalhe de um ticket, com o JSON recebido")),
)
class MovideskTicketViewSet(viewsets.ReadOnlyModelViewSet):
    """Tickets as last synced. `search` looks in subject, protocol and owner name."""

    queryset = MovideskTicket.objects.all()
    filter_backends = [filters.DjangoFilterBackend, SearchFilter]
    filterset_class = MovideskTicketFilter
    search_fields = ["subject", "protocol", "owner_name"]

    def get_serializer_class(self) -> type[TicketSerializer]:
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer


class MovideskSyncView(APIView):
    """Manual sync of a window of at most 5 days; answers at once, a worker does the work."""

    required_perms = [SYNC_PERMISSION]

    @extend_schema(
        summary=_("Sincroniza agora um período de até 5 dias"),
        description=_(
            "Cria a execução (QUEUED) e a entrega a um worker. Acompanhe pelo ledger ou pelo stream. "
            "Se outra sincronização estiver em andamento, a execução termina como SKIPPED."
        ),
        request=MovideskSyncRequestSerializer,
        responses={
            202: MovideskSyncAcceptedSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description=_("Período inválido (mais de 5 dias, invertido, futuro).")
            ),
            **_AUTH_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = MovideskSyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        execution = movidesk_sync_enqueue(
            date_from=serializer.validated_data["from"],
            date_to=serializer.validated_data["to"],
            trigger=Trigger.API,
            user=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        body = {
            "execution_id": execution.pk,
            "status": execution.status,
            "execution_url": reverse("execution-detail", args=[execution.pk]),
            "stream_url": reverse("execution-stream", args=[execution.pk]),
        }
        return Response(MovideskSyncAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class MovideskSettingsView(APIView):
    """Token (write-only), automatic sync switch and its HH:MM times. ADMINISTRATOR only."""

    required_perms = {"get": ["integrations.view_movidesksettings"], "*": ["integrations.change_movidesksettings"]}

    def _response(self, row: MovideskSettings) -> Response:
        try:
            source = movidesk_connection().source
        except MovideskNotConfigured:
            source = ""
        return Response(MovideskSettingsSerializer(row, context={"token_source": source}).data)

    @extend_schema(summary=_("Configuração do Movidesk"), responses={200: MovideskSettingsSerializer, **_AUTH_ERRORS})
    def get(self, request: Request) -> Response:
        return self._response(movidesk_settings_get())

    @extend_schema(
        summary=_("Altera a configuração do Movidesk"),
        description=_(
            "Campos ausentes ficam como estão. Alterar `sync_times` ou `enabled` reescreve os agendamentos na "
            "hora; o beat em execução os aplica em segundos."
        ),
        request=MovideskSettingsSerializer,
        responses={200: MovideskSettingsSerializer, 400: ErrorSerializer, **_AUTH_ERRORS},
    )
    def put(self, request: Request) -> Response:
        serializer = MovideskSettingsSerializer(movidesk_settings_get(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = movidesk_settings_update(
            token=data.get("token"),
            clear_token=data.get("clear_token", False),
            enabled=data.get("enabled"),
            sync_times=data.get("sync_times"),
        )
        return self._response(row)

    patch = put
