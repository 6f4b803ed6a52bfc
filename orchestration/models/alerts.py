"""Alerts (one open problem per fingerprint), the notifications people receive about them, and each
person's notification preferences. Written only by orchestration.services.alerts and .notifications."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField


class Severity(models.TextChoices):
    INFO = "INFO", _("Informação")
    WARNING = "WARNING", _("Aviso")
    CRITICAL = "CRITICAL", _("Crítico")

    @classmethod
    def rank(cls, value: str) -> int:
        return [cls.INFO, cls.WARNING, cls.CRITICAL].index(cls(value))


class AlertKind(models.TextChoices):
    FAILURE = "FAILURE", _("Falha")
    PENDING_APPROVAL = "PENDING_APPROVAL", _("Aprovação pendente")
    REAUTHORIZATION = "REAUTHORIZATION", _("Nova autorização necessária")


class AlertStatus(models.TextChoices):
    OPEN = "OPEN", _("Aberto")
    RESOLVED = "RESOLVED", _("Resolvido")


class Alert(models.Model):
    """One problem, identified by a stable `fingerprint` (`movidesk:sync-failed`, `kommo:auth:acme`).

    At most one OPEN alert per fingerprint. `notified_at` is set when its opening went into notifications,
    `recovery_notified_at` when its recovery did (both stay empty for an alert nobody ever heard about)."""

    fingerprint = models.CharField(_("identificador"), max_length=200, db_index=True)
    group = models.CharField(_("grupo"), max_length=120, db_index=True)
    group_title = models.CharField(
        _("título do grupo"),
        max_length=300,
        blank=True,
        help_text=_("Assunto de uma mensagem com vários alertas do grupo; %(count)d é o número de alertas."),
    )
    severity = models.CharField(_("gravidade"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    kind = models.CharField(_("tipo"), max_length=20, choices=AlertKind.choices, default=AlertKind.FAILURE)
    title = models.CharField(_("título"), max_length=300)
    details = models.TextField(_("detalhes"), blank=True)
    status = models.CharField(
        _("situação"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    first_seen_at = models.DateTimeField(_("visto pela primeira vez em"))
    last_seen_at = models.DateTimeField(_("visto pela última vez em"))
    occurrences = models.PositiveIntegerField(_("ocorrências"), default=1)
    resolved_at = models.DateTimeField(_("resolvido em"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolvido por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Vazio num alerta resolvido: resolvido automaticamente."),
    )
    execution = models.ForeignKey(
        "orchestration.Execution",
        verbose_name=_("execução"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("tipo do objeto"), null=True, blank=True, on_delete=models.CASCADE
    )
    subject_id = models.CharField(_("id do objeto"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsável"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_alerts",
    )
    notified_at = models.DateTimeField(_("abertura notificada em"), null=True, blank=True)
    recovery_notified_at = models.DateTimeField(_("recuperação notificada em"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerta")
        verbose_name_plural = _("alertas")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=models.Q(status="OPEN"), name="alert_one_open_per_fingerprint"
            )
        ]
        indexes = [models.Index(fields=["status", "group"], name="alert_status_group_idx")]
        permissions = [("resolve_alert", _("Pode resolver alertas"))]

    def __str__(self) -> str:
        return f"{self.fingerprint} ({self.get_status_display()})"


class Channel(models.TextChoices):
    EMAIL = "EMAIL", _("E-mail")
    WEBHOOK = "WEBHOOK", _("Webhook (Slack/Teams)")


class NotificationCategory(models.TextChoices):
    FAILURE = "FAILURE", _("Falha")
    PENDING_APPROVAL = "PENDING_APPROVAL", _("Aprovação pendente")
    REAUTHORIZATION = "REAUTHORIZATION", _("Nova autorização necessária")
    RECOVERY = "RECOVERY", _("Recuperação")
    TEST = "TEST", _("Teste")
    REPORT = "REPORT", _("Relatório")


class NotificationStatus(models.TextChoices):
    PENDING = "PENDING", _("Pendente")
    SENDING = "SENDING", _("Enviando")
    SENT = "SENT", _("Enviada")
    FAILED = "FAILED", _("Falhou")
    READ = "READ", _("Lida")


class Notification(models.Model):
    """What one person receives on one channel, covering one or more alerts of one group."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("destinatário"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("categoria"), max_length=20, choices=NotificationCategory.choices)
    group = models.CharField(_("grupo"), max_length=120, blank=True)
    subject = models.CharField(_("assunto"), max_length=300)
    body = models.TextField(_("mensagem"))
    alerts = models.ManyToManyField(Alert, verbose_name=_("alertas"), related_name="notifications", blank=True)
    status = models.CharField(
        _("situação"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("tentativas"), default=0)
    next_attempt_at = models.DateTimeField(_("próxima tentativa em"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("em envio desde"), null=True, blank=True)
    last_error = models.TextField(_("último erro"), blank=True)
    created_at = models.DateTimeField(_("criada em"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("enviada em"), null=True, blank=True)
    read_at = models.DateTimeField(_("lida em"), null=True, blank=True)

    class Meta:
        verbose_name = _("notificação")
        verbose_name_plural = _("notificações")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.get_channel_display()})"


class NotificationPreference(models.Model):
    """One person's choices. Without a row, the defaults of their role apply (services.notification_recipients)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuário"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("receber por e-mail"), default=True)
    webhook_url = EncryptedTextField(
        _("URL do webhook"),
        blank=True,
        help_text=_("Incoming webhook compatível com Slack ou Teams; guardada criptografada."),
    )
    min_severity = models.CharField(
        _("gravidade mínima"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    owned_only = models.BooleanField(
        _("só o que é meu"), default=False, help_text=_("Receber só alertas sobre objetos pelos quais sou responsável.")
    )
    notify_failures = models.BooleanField(_("falhas"), default=True)
    notify_approvals = models.BooleanField(_("aprovações pendentes"), default=True)
    notify_reauthorization = models.BooleanField(_("nova autorização necessária"), default=True)
    notify_recoveries = models.BooleanField(_("recuperações"), default=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("preferência de notificação")
        verbose_name_plural = _("preferências de notificação")

    def __str__(self) -> str:
        return str(self.user)
