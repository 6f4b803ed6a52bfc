"""The execution ledger on the API: list and detail, its log lines, cancelling a run and retrying the
failed items of a fan-out."""

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from orchestration.api.errors import Conflict
from orchestration.api.filters import ExecutionFilter, LogLineFilter
from orchestration.api.serializers import (
    ErrorSerializer,
    ExecutionDetailSerializer,
    ExecutionLogLineSerializer,
    ExecutionSerializer,
)
from orchestration.models import Execution, ExecutionLogLine, LogLevel
from orchestration.services.executions import execution_cancel
from orchestration.services.fanout import execution_retry_failed_children

_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description=_("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Perfil sem permissão.")),
    404: OpenApiResponse(ErrorSerializer, description=_("Execução inexistente.")),
}


class ExecutionPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class LogLinePagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema_view(
    list=extend_schema(
        summary=_("Lista execuções"),
        responses={200: ExecutionSerializer(many=True), 400: ErrorSerializer, 401: _ERRORS[401]},
    ),
    retrieve=extend_schema(summary=_("Detalhe de uma execução"), responses={200: ExecutionDetailSerializer, **_ERRORS}),
)
class ExecutionViewSet(viewsets.ReadOnlyModelViewSet):
    """Every run of every job (the ledger). Reading needs view_execution, cancelling cancel_execution.

    Live lines: `GET /api/v1/executions/{id}/stream` (Server-Sent Events, `Last-Event-ID` resumes).
    """

    queryset = Execution.objects.select_related("started_by")
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = ExecutionFilter
    search_fields = ["kind", "error", "celery_task_id"]
    pagination_class = ExecutionPagination
    required_perms = {
        "cancel": ["orchestration.cancel_execution"],
        "retry_failed": ["orchestration.retry_execution"],
        "lines": ["orchestration.view_execution", "orchestration.view_executionlogline"],
        "*": ["orchestration.view_execution"],
    }

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "list":
            return ExecutionSerializer
        return ExecutionDetailSerializer

    def _execution(self, pk: str | None) -> Execution:
        # Not get_object(): the list filters must not apply to the detail routes of the actions.
        execution = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_object_permissions(self.request, execution)
        return execution

    @extend_schema(
        summary=_("Cancela uma execução na fila ou em andamento"),
        description=_(
            "A situação passa a CANCELLED na hora; o job para no seu próximo ponto de verificação. "
            "Uma execução já encerrada responde 409."
        ),
        request=None,
        responses={
            200: ExecutionDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description=_("A execução já estava encerrada.")),
            **_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        execution = self._execution(pk)
        if not execution_cancel(execution=execution, user=request.user):
            raise Conflict(
                gettext("A execução já está encerrada (%(status)s).") % {"status": execution.get_status_display()}
            )
        return Response(ExecutionDetailSerializer(execution, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Executa de novo os itens com falha de uma execução distribuída"),
        description=_(
            "Só os itens (execuções filhas) em FAILED ou TIMED_OUT voltam à fila, cada um na tentativa seguinte; "
            "os concluídos, cancelados e ignorados não são repetidos. A execução principal volta a RUNNING e se "
            "encerra de novo quando o último item terminar. Responde 409 se ela ainda estiver em andamento ou "
            "não tiver itens com falha."
        ),
        request=None,
        responses={
            200: ExecutionDetailSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description=_("Ainda em andamento, ou nenhum item com falha para repetir.")
            ),
            **_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="retry-failed")
    def retry_failed(self, request: Request, pk: str | None = None) -> Response:
        execution = self._execution(pk)
        execution_retry_failed_children(parent=execution, user=request.user)
        return Response(ExecutionDetailSerializer(execution, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Linhas de log de uma execução, em ordem"),
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description=_("Só linhas com id maior que este.")),
            OpenApiParameter("level", OpenApiTypes.STR, many=True, enum=LogLevel.values),
        ],
        responses={200: ExecutionLogLineSerializer(many=True), 400: ErrorSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=LogLinePagination, filter_backends=[])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        execution = self._execution(pk)
        lines: QuerySet[ExecutionLogLine] = execution.log_lines.order_by("id")
        filterset = LogLineFilter(request.query_params, queryset=lines, request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        serializer = ExecutionLogLineSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)
