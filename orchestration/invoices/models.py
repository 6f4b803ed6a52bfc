"""Carriers, their customers' accounts, and each account's invoice of each month.

Glossary (source → code): Operadora → Carrier, Cliente → CarrierAccount, Processo → InvoiceProcess. An
InvoiceProcess's status changes only through the state machine in `services/processes.py`."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField
from orchestration.invoices.months import month_format
from orchestration.invoices.tax_ids import validate_cnpj, validate_cpf


class Carrier(models.Model):
    """A telecom carrier whose portal the RPA server's robots know (OI, VIVO, EMBRATEL, DIGITALNET)."""

    name = models.CharField(_("nome"), max_length=100, unique=True)
    code = models.CharField(
        _("código"),
        max_length=30,
        unique=True,
        help_text=_("Em maiúsculas, como o servidor RPA o conhece (a rota usa o código em minúsculas)."),
    )
    has_rpa = models.BooleanField(_("possui RPA"), default=True)
    is_active = models.BooleanField(_("ativa"), default=True)
    requires_cpf = models.BooleanField(
        _("exige CPF"), default=False, help_text=_("O portal pede o CPF do titular além do login.")
    )
    portal_url = models.URLField(_("URL do portal"), max_length=500, blank=True)
    rpa_class = models.CharField(_("classe do RPA"), max_length=120, blank=True)
    rpa_config = models.JSONField(_("configuração do RPA"), default=dict, blank=True)
    created_at = models.DateTimeField(_("cadastrada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("operadora")
        verbose_name_plural = _("operadoras")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def account_unique_hash(*, cnpj: str, carrier_code: str, unit: str, service: str) -> str:
    """SHA-256 of the fields that identify an account (the source's `hash_unico`)."""
    key = "|".join((cnpj, carrier_code.upper(), unit.strip().casefold(), service.strip().casefold()))
    return hashlib.sha256(key.encode()).hexdigest()


class CarrierAccount(models.Model):
    """A customer's account at a carrier: whose invoices the robots download each month."""

    legal_name = models.CharField(_("razão social"), max_length=255)
    sat_name = models.CharField(_("nome no SAT"), max_length=255, blank=True)
    cnpj = models.CharField(_("CNPJ"), max_length=14, db_index=True, validators=[validate_cnpj])
    carrier = models.ForeignKey(Carrier, verbose_name=_("operadora"), on_delete=models.PROTECT, related_name="accounts")
    filter = models.CharField(_("filtro"), max_length=255, blank=True)
    service = models.CharField(_("serviço"), max_length=255, blank=True)
    sat_data = models.TextField(_("dados SAT"), blank=True)
    unit = models.CharField(_("unidade"), max_length=255, blank=True)
    portal_login = models.CharField(_("login do portal"), max_length=255, blank=True)
    portal_password = EncryptedTextField(_("senha do portal"), blank=True)
    cpf = models.CharField(_("CPF"), max_length=11, blank=True, validators=[validate_cpf])
    is_active = models.BooleanField(_("ativa"), default=True)
    unique_hash = models.CharField(_("hash único"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("cadastrada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("conta na operadora")
        verbose_name_plural = _("contas nas operadoras")
        ordering = ["legal_name", "unit", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["cnpj", "carrier", "unit", "service"], name="carrier_account_identity_unique"
            ),
        ]

    def __str__(self) -> str:
        unit = f" — {self.unit}" if self.unit else ""
        return f"{self.legal_name}{unit} ({self.carrier.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.unique_hash = self.compute_unique_hash()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def compute_unique_hash(self) -> str:
        return account_unique_hash(cnpj=self.cnpj, carrier_code=self.carrier.code, unit=self.unit, service=self.service)


class InvoiceStatus(models.TextChoices):
    AWAITING_DOWNLOAD = "AWAITING_DOWNLOAD", _("Aguardando download")
    AWAITING_APPROVAL = "AWAITING_APPROVAL", _("Aguardando aprovação")
    AWAITING_SAT_UPLOAD = "AWAITING_SAT_UPLOAD", _("Aguardando envio ao SAT")
    SAT_UPLOADED = "SAT_UPLOADED", _("Enviada ao SAT")


class InvoiceProcess(models.Model):
    """One invoice of one account for one month, from download to SAT."""

    account = models.ForeignKey(
        CarrierAccount, verbose_name=_("conta"), on_delete=models.PROTECT, related_name="processes"
    )
    month = models.DateField(_("mês"), help_text=_("O primeiro dia do mês da fatura (mostrado como MM/AAAA)."))
    status = models.CharField(
        _("situação"),
        max_length=24,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.AWAITING_DOWNLOAD,
        db_index=True,
    )
    invoice_url = models.URLField(_("URL da fatura"), max_length=1000, blank=True)
    invoice_key = models.CharField(_("chave do arquivo"), max_length=500, blank=True)
    invoice_filename = models.CharField(_("nome do arquivo"), max_length=255, blank=True)
    due_date = models.DateField(_("vencimento"), null=True, blank=True)
    amount = models.DecimalField(_("valor"), max_digits=14, decimal_places=2, null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aprovada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_invoices",
    )
    approved_at = models.DateTimeField(_("aprovada em"), null=True, blank=True)
    sat_sent = models.BooleanField(_("enviada ao SAT"), default=False)
    sat_sent_at = models.DateTimeField(_("enviada ao SAT em"), null=True, blank=True)
    sat_protocol = models.CharField(_("protocolo do SAT"), max_length=120, blank=True)
    download_attempts = models.PositiveIntegerField(_("tentativas de download"), default=0)
    sat_attempts = models.PositiveIntegerField(_("tentativas de envio ao SAT"), default=0)
    manual_upload = models.BooleanField(_("enviada manualmente"), default=False)
    created_automatically = models.BooleanField(_("criada automaticamente"), default=False)
    created_at = models.DateTimeField(_("criada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("processo de fatura")
        verbose_name_plural = _("processos de fatura")
        ordering = ["-month", "account__legal_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="invoice_process_account_month_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="invoice_process_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="invoice_process_month_status")]
        permissions = [
            ("run_invoiceprocess", _("Pode baixar, enviar manualmente, reenviar e mandar faturas ao SAT")),
            ("approve_invoiceprocess", _("Pode aprovar ou rejeitar faturas")),
        ]

    def __str__(self) -> str:
        return f"{self.account} — {self.month_display}"

    @property
    def month_display(self) -> str:
        return month_format(self.month)


class InvoiceRejection(models.Model):
    """An approver's refusal of an invoice: the process went back to AWAITING_DOWNLOAD, and the refused
    file stays in storage, named here, for the audit trail."""

    process = models.ForeignKey(
        InvoiceProcess, verbose_name=_("processo"), on_delete=models.CASCADE, related_name="rejections"
    )
    reason = models.TextField(_("motivo"))
    invoice_key = models.CharField(_("chave do arquivo rejeitado"), max_length=500, blank=True)
    invoice_filename = models.CharField(_("nome do arquivo rejeitado"), max_length=255, blank=True)
    due_date = models.DateField(_("vencimento"), null=True, blank=True)
    amount = models.DecimalField(_("valor"), max_digits=14, decimal_places=2, null=True, blank=True)
    manual_upload = models.BooleanField(_("era envio manual"), default=False)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejeitada por"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="rejected_invoices",
    )
    rejected_at = models.DateTimeField(_("rejeitada em"), auto_now_add=True)

    class Meta:
        verbose_name = _("rejeição de fatura")
        verbose_name_plural = _("rejeições de fatura")
        ordering = ["-rejected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.process} — {self.rejected_at:%d/%m/%Y %H:%M}"
