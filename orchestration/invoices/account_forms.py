"""Forms of carrier accounts: CNPJ shown formatted and accepted with or without punctuation, CPF required by
the carriers that ask for it, the portal password write-only; and the CSV upload."""

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orchestration.forms.secrets import SecretModelForm
from orchestration.invoices.models import Carrier, CarrierAccount, account_unique_hash
from orchestration.invoices.tax_ids import cnpj_format, cnpj_normalize, cpf_normalize


def rpa_config_check(value: Any) -> Any:
    """The RPA configuration is a JSON object; PostgreSQL's jsonb cannot hold a NUL character."""
    if not isinstance(value, dict):
        raise ValidationError(_("A configuração do RPA precisa ser um objeto JSON ({...})."))
    if "\\u0000" in json.dumps(value):
        raise ValidationError(_("A configuração do RPA não pode conter caracteres nulos."))
    return value


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "code", "is_active", "requires_cpf", "portal_url", "has_rpa", "rpa_class", "rpa_config"]

    def clean_rpa_config(self) -> Any:
        return rpa_config_check(self.cleaned_data.get("rpa_config") or {})


class CnpjFormField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("help_text", _("Com ou sem pontuação: 12.345.678/0001-95 ou 12345678000195."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return cnpj_format(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return cnpj_normalize(value) if value else value


class CarrierAccountForm(SecretModelForm):
    cnpj = CnpjFormField(label=_("CNPJ"))

    class Meta:
        model = CarrierAccount
        fields = [
            "legal_name",
            "sat_name",
            "cnpj",
            "carrier",
            "unit",
            "service",
            "filter",
            "sat_data",
            "portal_login",
            "portal_password",
            "cpf",
            "is_active",
        ]

    def clean_cpf(self) -> str:
        value = self.cleaned_data.get("cpf") or ""
        return cpf_normalize(value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        carrier = cleaned.get("carrier")
        if carrier is not None and carrier.requires_cpf and not cleaned.get("cpf") and "cpf" not in self.errors:
            self.add_error("cpf", _("A operadora %(carrier)s exige o CPF do titular.") % {"carrier": carrier.name})
        if carrier is not None and cleaned.get("cnpj"):
            unique_hash = account_unique_hash(
                cnpj=cleaned["cnpj"],
                carrier_code=carrier.code,
                unit=cleaned.get("unit", ""),
                service=cleaned.get("service", ""),
            )
            clash = CarrierAccount.objects.filter(unique_hash=unique_hash).exclude(pk=self.instance.pk).first()
            if clash is not None:
                raise ValidationError(
                    _("Já existe a conta %(account)s com este CNPJ, operadora, unidade e serviço.") % {"account": clash}
                )
        return cleaned


class AccountsImportForm(forms.Form):
    file = forms.FileField(
        label=_("arquivo CSV"),
        help_text=_(
            "Colunas pelo cabeçalho (maiúsculas ou minúsculas): razao_social, nome_sat, cnpj, operadora, filtro, "
            "servico, dados_sat, unidade, login_portal, senha_portal, cpf. Separador ; ou , e codificação UTF-8 "
            "ou Windows-1252 (como o Excel salva)."
        ),
    )
    dry_run = forms.BooleanField(label=_("só conferir (não grava nada)"), required=False, initial=True)
    skip_invalid = forms.BooleanField(
        label=_("importar as linhas boas mesmo se houver linhas com erro"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.ACCOUNTS_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("O arquivo tem %(size)d bytes; o limite é %(limit)d (ACCOUNTS_IMPORT_MAX_BYTES).")
                % {"size": upload.size, "limit": settings.ACCOUNTS_IMPORT_MAX_BYTES}
            )
        return upload
