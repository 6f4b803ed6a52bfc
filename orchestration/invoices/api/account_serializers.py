"""API shapes of carriers and their accounts. The portal password is write-only (omitted or blank keeps the
stored one) and never returned; CNPJ and CPF are accepted with or without punctuation, answered as digits
(plus `cnpj_formatted`), and a bad one is an error on its own field."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orchestration.api.fields import SecretField
from orchestration.invoices.account_forms import rpa_config_check
from orchestration.invoices.models import Carrier, CarrierAccount, account_unique_hash
from orchestration.invoices.tax_ids import cnpj_format, cnpj_normalize, cpf_normalize


class CarrierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carrier
        fields = [
            "id",
            "name",
            "code",
            "has_rpa",
            "is_active",
            "requires_cpf",
            "portal_url",
            "rpa_class",
            "rpa_config",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_rpa_config(self, value: Any) -> Any:
        try:
            return rpa_config_check(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_code(self, value: str) -> str:
        code = value.strip().upper()
        if Carrier.objects.filter(code=code).exclude(pk=getattr(self.instance, "pk", None)).exists():
            raise serializers.ValidationError(
                gettext("Já existe uma operadora com o código %(code)s.") % {"code": code}
            )
        return code


def _tax_id(normalize: Any, value: str) -> str:
    try:
        return str(normalize(value))
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class CarrierAccountSerializer(serializers.ModelSerializer):
    cnpj = serializers.CharField(max_length=18, help_text=_("14 caracteres, com ou sem . / -"))
    cnpj_formatted = serializers.SerializerMethodField(help_text=_("O CNPJ com pontuação."))
    cpf = serializers.CharField(
        max_length=14, required=False, allow_blank=True, help_text=_("11 dígitos, com ou sem . -")
    )
    carrier_code = serializers.CharField(source="carrier.code", read_only=True)
    portal_password = SecretField(
        required=False, allow_blank=True, help_text=_("Só escrita; ausente ou em branco mantém a salva.")
    )
    has_portal_password = serializers.SerializerMethodField(help_text=_("Há uma senha do portal salva."))

    class Meta:
        model = CarrierAccount
        fields = [
            "id",
            "legal_name",
            "sat_name",
            "cnpj",
            "cnpj_formatted",
            "carrier",
            "carrier_code",
            "unit",
            "service",
            "filter",
            "sat_data",
            "portal_login",
            "portal_password",
            "has_portal_password",
            "cpf",
            "is_active",
            "unique_hash",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["unique_hash", "created_at", "updated_at"]
        validators: list[Any] = []  # identity is checked in validate(), by unique_hash, with a clear message

    def get_cnpj_formatted(self, account: CarrierAccount) -> str:
        return cnpj_format(account.cnpj)

    def get_has_portal_password(self, account: CarrierAccount) -> bool:
        return bool(account.portal_password)

    def validate_cnpj(self, value: str) -> str:
        return _tax_id(cnpj_normalize, value)

    def validate_cpf(self, value: str) -> str:
        return _tax_id(cpf_normalize, value) if value else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance

        def value(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(current, name, "")

        carrier = value("carrier")
        if carrier and carrier.requires_cpf and not value("cpf"):
            raise serializers.ValidationError(
                {"cpf": [gettext("A operadora %(carrier)s exige o CPF do titular.") % {"carrier": carrier.name}]}
            )
        if carrier:
            unique_hash = account_unique_hash(
                cnpj=value("cnpj"), carrier_code=carrier.code, unit=value("unit") or "", service=value("service") or ""
            )
            clash = CarrierAccount.objects.filter(unique_hash=unique_hash).exclude(pk=getattr(current, "pk", None))
            if clash.exists():
                raise serializers.ValidationError(
                    {"cnpj": [gettext("Já existe uma conta com este CNPJ, operadora, unidade e serviço.")]}
                )
        if not attrs.get("portal_password"):
            attrs.pop("portal_password", None)  # blank keeps the stored password
        return attrs


class AccountsImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("O CSV (colunas pelo cabeçalho; ; ou , ; UTF-8 ou Windows-1252)."))
    dry_run = serializers.BooleanField(required=False, default=False)
    skip_invalid = serializers.BooleanField(required=False, default=False)

    def validate_file(self, upload: Any) -> Any:
        limit = settings.ACCOUNTS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise serializers.ValidationError(
                gettext("O arquivo tem %(size)d bytes; o limite é %(limit)d.") % {"size": upload.size, "limit": limit}
            )
        return upload


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("Linha no arquivo (o cabeçalho é a linha 1)."))
    reason = serializers.CharField()


class AccountsImportResultSerializer(serializers.Serializer):
    execution_id = serializers.IntegerField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    refused = serializers.BooleanField(help_text=_("Houve linhas com erro e nada foi gravado."))
    encoding = serializers.CharField()
    delimiter = serializers.CharField()
    errors = ImportRowErrorSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
