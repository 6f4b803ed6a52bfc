"""/api/v1/appointments/: CRUD scoped by the user's company (an administrator sees every company)."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from calendar_sync.api.serializers import AppointmentSerializer, ExecutionAcceptedSerializer, ResolveConflictSerializer
from calendar_sync.models import Appointment, AppointmentStatus
from calendar_sync.selectors import appointments_visible
from calendar_sync.services import (
    appointment_create,
    appointment_delete,
    appointment_resolve_conflict,
    appointment_update,
    can_manage_all,
    tenant_of,
)
from orchestration.api.datetime_filters import BoundedIsoDateTimeFilter
from orchestration.api.serializers import ErrorSerializer
from orchestration.models import Execution


def accepted(execution: Execution) -> Response:
    body = {
        "execution_id": execution.pk,
        "status": execution.status,
        "execution_url": reverse("execution-detail", args=[execution.pk]),
        "stream_url": reverse("execution-stream", args=[execution.pk]),
    }
    return Response(ExecutionAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class AppointmentFilter(filters.FilterSet):
    professional = filters.NumberFilter(field_name="professional_id", help_text=_("Id do profissional."))
    status = filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    start_after = BoundedIsoDateTimeFilter(
        field_name="start", lookup_expr="gte", help_text=_("Começam a partir deste instante (ISO 8601).")
    )
    start_before = BoundedIsoDateTimeFilter(
        field_name="start", lookup_expr="lt", help_text=_("Começam antes deste instante (ISO 8601).")
    )

    class Meta:
        model = Appointment
        fields = ["professional", "status"]


@extend_schema_view(
    list=extend_schema(summary=_("Lista os agendamentos da sua empresa")),
    create=extend_schema(summary=_("Cria um agendamento (enviado ao Google depois do commit)")),
    update=extend_schema(summary=_("Altera um agendamento")),
    partial_update=extend_schema(summary=_("Altera campos de um agendamento")),
    destroy=extend_schema(summary=_("Exclui um agendamento (e o seu evento no Google)")),
)
class AppointmentViewSet(viewsets.ModelViewSet):
    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    filter_backends = [filters.DjangoFilterBackend]
    required_perms = {
        "list": ["calendar_sync.view_appointment"],
        "retrieve": ["calendar_sync.view_appointment"],
        "create": ["calendar_sync.add_appointment"],
        "update": ["calendar_sync.change_appointment"],
        "partial_update": ["calendar_sync.change_appointment"],
        "destroy": ["calendar_sync.delete_appointment"],
        "resolve_conflict": ["calendar_sync.sync_appointment"],
        "*": ["calendar_sync.view_appointment"],
    }

    def get_queryset(self) -> QuerySet[Appointment]:
        return appointments_visible(self.request.user).order_by("start", "id")  # type: ignore[arg-type]

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        user = self.request.user
        professional = data.pop("professional", None) or user
        # Anyone but an administrator creates in their own company only.
        company = None if can_manage_all(user) else tenant_of(user)  # type: ignore[arg-type]
        serializer.instance = appointment_create(professional=professional, company=company, user=user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.instance = appointment_update(
            appointment=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Appointment) -> None:
        appointment_delete(appointment=instance, user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary=_("Resolve um conflito de sincronização"),
        description=_(
            "Com a resolução manual, um agendamento alterado aqui e no Google fica com `sync_conflict` preenchido e "
            "nada é aplicado. `keep=local` envia a versão do Orquestra ao Google; `keep=google` aplica a do Google."
        ),
        request=ResolveConflictSerializer,
        responses={202: ExecutionAcceptedSerializer, 400: OpenApiResponse(ErrorSerializer)},
    )
    @action(detail=True, methods=["post"], url_path="resolve-conflict")
    def resolve_conflict(self, request: Request, pk: str | None = None) -> Response:
        serializer = ResolveConflictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        execution = appointment_resolve_conflict(
            appointment=self.get_object(), keep=serializer.validated_data["keep"], user=request.user
        )
        return accepted(execution)
