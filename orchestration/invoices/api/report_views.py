"""`GET /api/v1/invoice-processes/report/?month=MM/YYYY`: the monthly report as JSON, or as CSV with
`Accept: text/csv` or `?format=csv`. Needs view_invoiceprocess (every role)."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orchestration.api.serializers import ErrorSerializer
from orchestration.invoices.models import InvoiceStatus
from orchestration.invoices.months import month_current, month_parse
from orchestration.invoices.reports.monthly import invoice_month_report, report_as_dict, report_csv


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return str(data).encode(self.charset)


class _TotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    without_amount = serializers.IntegerField(help_text=_("Processos ainda sem valor (fatura não baixada)."))


class _StatusTotalsSerializer(_TotalsSerializer):
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)


class _StatusTotalsLabelledSerializer(_StatusTotalsSerializer):
    status_display = serializers.CharField()


class _CarrierTotalsSerializer(_TotalsSerializer):
    carrier = serializers.CharField(help_text=_("Código da operadora."))
    carrier_name = serializers.CharField()
    by_status = _StatusTotalsSerializer(many=True)


class MonthReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("MM/AAAA"))
    total = _TotalsSerializer()
    by_status = _StatusTotalsLabelledSerializer(many=True)
    by_carrier = _CarrierTotalsSerializer(many=True)


def requested_month(value: str | None) -> Any:
    if not value:
        return month_current(timezone.localdate())
    try:
        return month_parse(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError({"month": error.messages}) from None


class InvoiceMonthReportView(APIView):
    required_perms = ["orchestration.view_invoiceprocess"]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        summary=_("Relatório mensal das faturas: totais por situação, operadora e valor"),
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description=_("MM/AAAA; padrão: o mês corrente.")),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], description=_("csv: o CSV.")),
        ],
        responses={
            (200, "application/json"): MonthReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_("O mesmo relatório em CSV.")),
            400: OpenApiResponse(ErrorSerializer, description=_("Mês inválido.")),
            404: OpenApiResponse(ErrorSerializer, description=_("Formato desconhecido (use json ou csv).")),
        },
    )
    def get(self, request: Request) -> Response:
        report = invoice_month_report(month=requested_month(request.query_params.get("month")))
        if request.accepted_renderer.format == "csv":
            name = f"relatorio-faturas-{report.month:%Y-%m}.csv"
            return Response(report_csv(report), headers={"Content-Disposition": f'attachment; filename="{name}"'})
        return Response(MonthReportSerializer(report_as_dict(report)).data)

    def handle_exception(self, exc: Exception) -> Response:
        # Errors keep the API's one JSON shape, whatever format the report was asked in.
        if getattr(getattr(self.request, "accepted_renderer", None), "format", "") == "csv":
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
