"""Kommo accounts (one master, many replicas), the per-replica ID mapping, the master's snapshot read once
per sync, and what each replica's run planned and did."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField


class AccountRole(models.TextChoices):
    MASTER = "MASTER", _("Mestre")
    REPLICA = "REPLICA", _("Réplica")


class AuthState(models.TextChoices):
    OK = "OK", _("Autorizada")
    NEEDS_REAUTHORIZATION = "NEEDS_REAUTHORIZATION", _("Precisa de nova autorização")


class SyncType(models.TextChoices):
    FULL = "full", _("Completa (funis e campos)")
    PIPELINES = "pipelines", _("Funis e etapas")
    CUSTOM_FIELDS = "custom_fields", _("Campos personalizados")


class KommoAccount(models.Model):
    """One Kommo account. Credentials are OAuth 2.0 (access + refresh token, rotated on every refresh) or a
    long-lived token of a private integration (never refreshed)."""

    subdomain = models.CharField(_("subdomínio"), max_length=63, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    role = models.CharField(_("papel"), max_length=8, choices=AccountRole.choices, default=AccountRole.REPLICA)
    active = models.BooleanField(_("ativa"), default=True)
    access_token = EncryptedTextField(_("access token"), blank=True)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    expires_at = models.DateTimeField(_("access token expira em"), null=True, blank=True)
    long_lived_token = EncryptedTextField(
        _("token de longa duração"), blank=True, help_text=_("Integração privada: usado no lugar do OAuth.")
    )
    client_id = models.CharField(_("client id"), max_length=200, blank=True, help_text=_("Vazio: KOMMO_CLIENT_ID."))
    client_secret = EncryptedTextField(_("client secret"), blank=True, help_text=_("Vazio: KOMMO_CLIENT_SECRET."))
    redirect_uri = models.CharField(
        _("redirect URI"), max_length=500, blank=True, help_text=_("Vazio: KOMMO_REDIRECT_URI.")
    )
    auth_state = models.CharField(
        _("autorização"), max_length=24, choices=AuthState.choices, default=AuthState.OK, db_index=True
    )
    auth_error = models.TextField(_("motivo da falha de autorização"), blank=True)
    last_sync_status = models.CharField(_("última sincronização"), max_length=16, blank=True)
    last_sync_at = models.DateTimeField(_("última sincronização em"), null=True, blank=True)
    created_at = models.DateTimeField(_("criada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("atualizada em"), auto_now=True)

    class Meta:
        verbose_name = _("conta Kommo")
        verbose_name_plural = _("contas Kommo")
        ordering = ["-role", "subdomain"]  # the master (MASTER > REPLICA) first
        permissions = [("sync_kommoaccount", _("Pode sincronizar as contas Kommo"))]
        constraints = [
            models.UniqueConstraint(
                fields=["role"], condition=Q(role="MASTER", active=True), name="kommo_one_active_master"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.subdomain})"

    @property
    def uses_long_lived_token(self) -> bool:
        return bool(self.long_lived_token)


class MappedObject(models.TextChoices):
    PIPELINE = "pipeline", _("Funil")
    STAGE = "stage", _("Etapa")
    FIELD = "field", _("Campo")
    ENUM = "enum", _("Opção de campo")


class KommoIdMapping(models.Model):
    """Master id → replica id of one object on one replica. `master_key` names the master object in its
    context (`stage:<pipeline>:<status>`, `field:<entity>:<id>`, ...), because stage 142 exists in every pipeline."""

    account = models.ForeignKey(KommoAccount, on_delete=models.CASCADE, related_name="mappings")
    object_type = models.CharField(_("objeto"), max_length=10, choices=MappedObject.choices)
    master_key = models.CharField(_("chave na mestre"), max_length=120)
    replica_id = models.BigIntegerField(_("id na réplica"))
    updated_at = models.DateTimeField(_("atualizado em"), auto_now=True)

    class Meta:
        verbose_name = _("mapeamento de id do Kommo")
        verbose_name_plural = _("mapeamentos de id do Kommo")
        constraints = [
            models.UniqueConstraint(fields=["account", "master_key"], name="kommo_mapping_unique_master_key")
        ]

    def __str__(self) -> str:
        return f"{self.account.subdomain}: {self.master_key} → {self.replica_id}"


class KommoMasterSnapshot(models.Model):
    """The master's configuration as one sync read it: every replica of that sync (and a retry of its failed
    replicas) is compared with this, so the master is read once, not 120 times."""

    execution = models.OneToOneField("orchestration.Execution", on_delete=models.CASCADE, related_name="kommo_snapshot")
    master = models.ForeignKey(KommoAccount, null=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("configuração"), default=dict)
    created_at = models.DateTimeField(_("lida em"), auto_now_add=True)

    class Meta:
        verbose_name = _("leitura da conta mestre")
        verbose_name_plural = _("leituras da conta mestre")

    def __str__(self) -> str:
        return f"#{self.execution_id} ({self.created_at:%d/%m/%Y %H:%M})"


class KommoReplicaReport(models.Model):
    """The plan of one replica in one run (what is created, updated, left alone or extra) and, after
    applying it, what failed with Kommo's answer."""

    execution = models.OneToOneField("orchestration.Execution", on_delete=models.CASCADE, related_name="kommo_report")
    account = models.ForeignKey(KommoAccount, on_delete=models.CASCADE, related_name="reports")
    dry_run = models.BooleanField(_("simulação"), default=False)
    plan = models.JSONField(_("plano"), default=list)
    errors = models.JSONField(_("erros"), default=list)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("relatório de réplica do Kommo")
        verbose_name_plural = _("relatórios de réplica do Kommo")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account.subdomain} #{self.execution_id}"
