"""`/api/v1/invoice-processes/`: list and detail, and the flow's actions. Download, upload, SAT and retry:
OPERATOR and above; approve and reject: APPROVER and ADMINISTRATOR. Actions that start RPA work answer 202
with the Execution at once; a move the state machine refuses answers 409."""

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orchestration.api.serializers import ErrorSerializer
from orchestration.exceptions import ValidationFailed
from orchestration.invoices.api.process_serializers import (
    ExecutionStartedSerializer,
    InvoiceLinkSerializer,
    InvoiceProcessSerializer,
    ProcessChangedSerializer,
    RejectSerializer,
    RunRequestSerializer,
    UploadInvoiceSerializer,
)
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.downloads import DOWNLOADS_KIND, invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import (
    CREATE_KIND,
    carrier_by_code,
    invoice_approve,
    invoice_manual_upload,
    invoice_reject,
)
from orchestration.invoices.services.sat import SAT_UPLOADS_KIND, invoice_sat_request
from orchestration.invoices.services.storage import invoice_link
from orchestration.models import Execution, Trigger
from orchestration.services.executions import execution_create
from orchestration.services.transitions import IllegalTransition

VIEW = ["orchestration.view_invoiceprocess"]
RUN = ["orchestration.run_invoiceprocess"]
APPROVE = ["orchestration.approve_invoiceprocess"]
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description=_("A situação do processo não permite esta ação."))}


class InvoiceProcessFilter(filters.FilterSet):
    carrier = filters.CharFilter(field_name="account__carrier__code", lookup_expr="iexact", help_text=_("Código"))
    month = filters.CharFilter(method="filter_month", help_text=_("MM/AAAA"))
    status = filters.ChoiceFilter(choices=InvoiceStatus.choices)

    class Meta:
        model = InvoiceProcess
        fields = ["carrier", "month", "status"]

    def filter_month(self, queryset: QuerySet[InvoiceProcess], name: str, value: str) -> QuerySet[InvoiceProcess]:
        try:
            return queryset.filter(month=month_parse(value))
        except ValidationError as error:
            raise serializers.ValidationError({"month": error.messages}) from error


def _started(execution: Execution) -> Response:
    body = {
        "execution_id": execution.pk,
        "status": execution.status,
        "execution_url": reverse("execution-detail", args=[execution.pk]),
        "stream_url": reverse("execution-stream", args=[execution.pk]),
    }
    return Response(ExecutionStartedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


def _changed(execution: Execution, process: InvoiceProcess) -> Response:
    process.refresh_from_db()
    return Response(ProcessChangedSerializer({"execution_id": execution.pk, "process": process}).data)


@extend_schema_view(
    list=extend_schema(summary=_("Lista os processos de fatura")),
    retrieve=extend_schema(summary=_("Detalhe de um processo de fatura")),
)
class InvoiceProcessViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = InvoiceProcess.objects.select_related("account__carrier", "approved_by").order_by("-month", "id")
    serializer_class = InvoiceProcessSerializer
    filterset_class = InvoiceProcessFilter
    # Digits only: `invoice-processes/report/` (the monthly report) is not a process id.
    lookup_value_regex = r"\d+"
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "invoice": VIEW,
        "download": RUN,
        "upload_invoice": RUN,
        "send_to_sat": RUN,
        "retry": RUN,
        "create_monthly": RUN,
        "download_all": RUN,
        "send_all_to_sat": RUN,
        "approve": APPROVE,
        "reject": APPROVE,
        "*": VIEW,
    }

    @extend_schema(
        summary=_("Pede ao servidor RPA o download da fatura"),
        request=None,
        responses={202: ExecutionStartedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def download(self, request: Request, pk: str) -> Response:
        return _started(invoice_download_request(process=self.get_object(), actor=Actor.from_request(request)))

    @extend_schema(
        summary=_("Envia manualmente o PDF da fatura"),
        request={"multipart/form-data": UploadInvoiceSerializer},
        responses={200: ProcessChangedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="upload-invoice", parser_classes=[MultiPartParser])
    def upload_invoice(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        serializer = UploadInvoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.INVOICE_UPLOAD_MAX_BYTES:
            raise ValidationFailed(
                gettext("O arquivo tem %(size)d bytes; o limite é %(limit)d.")
                % {"size": upload.size, "limit": settings.INVOICE_UPLOAD_MAX_BYTES}
            )
        execution = invoice_manual_upload(
            process=process, filename=upload.name, content=upload.read(), actor=Actor.from_request(request)
        )
        return _changed(execution, process)

    @extend_schema(summary=_("Aprova a fatura"), request=None, responses={200: ProcessChangedSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        return _changed(invoice_approve(process=process, actor=Actor.from_request(request)), process)

    @extend_schema(
        summary=_("Rejeita a fatura (volta a aguardar download; o arquivo fica guardado)"),
        request=RejectSerializer,
        responses={200: ProcessChangedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        execution = invoice_reject(
            process=process, actor=Actor.from_request(request), reason=serializer.validated_data["reason"]
        )
        return _changed(execution, process)

    @extend_schema(
        summary=_("Pede ao servidor RPA o envio da fatura ao SAT"),
        request=None,
        responses={202: ExecutionStartedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="send-to-sat")
    def send_to_sat(self, request: Request, pk: str) -> Response:
        return _started(invoice_sat_request(process=self.get_object(), actor=Actor.from_request(request)))

    @extend_schema(
        summary=_("Tenta de novo a etapa atual (download ou SAT), com as tentativas zeradas"),
        request=None,
        responses={202: ExecutionStartedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        actor = Actor.from_request(request)
        if process.status == InvoiceStatus.AWAITING_DOWNLOAD:
            return _started(invoice_download_request(process=process, actor=actor, retry=True))
        if process.status == InvoiceStatus.AWAITING_SAT_UPLOAD:
            return _started(invoice_sat_request(process=process, actor=actor, retry=True))
        raise IllegalTransition(
            gettext("Só há o que tentar de novo aguardando download ou envio ao SAT; o processo está em “%(status)s”.")
            % {"status": process.get_status_display()}
        )

    @extend_schema(
        summary=_("Link temporário para o PDF da fatura"),
        responses={200: InvoiceLinkSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["get"])
    def invoice(self, request: Request, pk: str) -> Response:
        process = self.get_object()
        if not process.invoice_key:
            raise IllegalTransition(gettext("Este processo ainda não tem fatura."))
        url = invoice_link(process)
        body = {"url": request.build_absolute_uri(url), "expires_in": settings.INVOICE_LINK_SECONDS}
        return Response(InvoiceLinkSerializer(body).data)

    # Runs over many processes (flows 1, 2 and 5), handed to a worker ------------------------------

    def _run_request(self, request: Request) -> tuple[str, str]:
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        carrier, month = serializer.validated_data["carrier"], serializer.validated_data["month"]
        try:
            if month:
                month_parse(month)
            if carrier:
                carrier_by_code(carrier)
        except ValidationError as error:
            raise serializers.ValidationError({"month": error.messages}) from error
        return carrier, month

    def _queue(self, request: Request, kind: str, task: str) -> Response:
        carrier, month = self._run_request(request)
        actor = Actor.from_request(request)
        execution = execution_create(
            kind=kind, parameters={"carrier": carrier, "month": month}, **actor.execution_fields()
        )
        kwargs = {"carrier": carrier, "month": month, "trigger": Trigger.API, "execution_id": execution.pk}
        transaction.on_commit(lambda: current_app.send_task(task, kwargs=kwargs))
        return _started(execution)

    @extend_schema(
        summary=_("Cria os processos do mês (uma por conta ativa das operadoras com RPA)"),
        request=RunRequestSerializer,
        responses={202: ExecutionStartedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="create-monthly")
    def create_monthly(self, request: Request) -> Response:
        return self._queue(request, CREATE_KIND, "invoices.create_invoice_processes")

    @extend_schema(
        summary=_("Pede ao servidor RPA todas as faturas que aguardam download"),
        operation_id="v1_invoice_processes_download_all",
        request=RunRequestSerializer,
        responses={202: ExecutionStartedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="download")
    def download_all(self, request: Request) -> Response:
        return self._queue(request, DOWNLOADS_KIND, "invoices.download_invoices")

    @extend_schema(
        summary=_("Envia ao SAT todas as faturas aprovadas"),
        operation_id="v1_invoice_processes_send_all_to_sat",
        request=RunRequestSerializer,
        responses={202: ExecutionStartedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="send-to-sat")
    def send_all_to_sat(self, request: Request) -> Response:
        return self._queue(request, SAT_UPLOADS_KIND, "invoices.send_invoices_to_sat")
