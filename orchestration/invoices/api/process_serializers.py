"""Serializers of `/api/v1/invoice-processes/`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orchestration.invoices.models import CarrierAccount, InvoiceProcess


class ProcessAccountSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier.code", read_only=True)

    class Meta:
        model = CarrierAccount
        fields = ["id", "legal_name", "sat_name", "cnpj", "carrier", "unit", "service"]
        read_only_fields = fields


class InvoiceProcessSerializer(serializers.ModelSerializer):
    account = ProcessAccountSerializer(read_only=True)
    month = serializers.CharField(source="month_display", read_only=True, help_text=_("MM/AAAA"))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    approved_by = serializers.SerializerMethodField(help_text=_("E-mail de quem aprovou."))

    class Meta:
        model = InvoiceProcess
        fields = [
            "id",
            "account",
            "month",
            "status",
            "status_display",
            "due_date",
            "amount",
            "invoice_key",
            "invoice_filename",
            "invoice_url",
            "download_attempts",
            "sat_attempts",
            "manual_upload",
            "created_automatically",
            "approved_by",
            "approved_at",
            "sat_sent",
            "sat_sent_at",
            "sat_protocol",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_approved_by(self, process: InvoiceProcess) -> str | None:
        return process.approved_by.email if process.approved_by else None


class ExecutionStartedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    status = serializers.CharField()
    execution_url = serializers.CharField()
    stream_url = serializers.CharField()


class ProcessChangedSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField(help_text=_("A execução que registrou a mudança."))
    process = InvoiceProcessSerializer()


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Por que a fatura foi rejeitada."))


class UploadInvoiceSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("O PDF da fatura."))


class InvoiceLinkSerializer(serializers.Serializer):
    url = serializers.CharField(help_text=_("Link temporário para o PDF."))
    expires_in = serializers.IntegerField(help_text=_("Segundos até o link expirar."))


class RunRequestSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Código da operadora."))
    month = serializers.RegexField(
        r"^\d{1,2}/\d{4}$", required=False, allow_blank=True, default="", help_text=_("MM/AAAA")
    )
