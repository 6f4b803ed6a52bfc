"""WhatsApp sessions at their providers, their status history, and the conversations they carry (no message
content is stored: only who, when, and whether the conversation is still open)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField


class Provider(models.TextChoices):
    EVOLUTION = "EVOLUTION", _("Evolution API")
    WAHA = "WAHA", _("WAHA")


class SessionStatus(models.TextChoices):
    CONNECTED = "CONNECTED", _("Conectada")
    CONNECTING = "CONNECTING", _("Conectando")
    QR_REQUIRED = "QR_REQUIRED", _("Aguardando leitura do QR code")
    DISCONNECTED = "DISCONNECTED", _("Desconectada")
    FAILED = "FAILED", _("Com falha")
    ARCHIVED = "ARCHIVED", _("Arquivada")


class CheckOutcome(models.TextChoices):
    OK = "OK", _("Respondeu")
    FAILED = "FAILED", _("Falhou")


class TransitionSource(models.TextChoices):
    CHECK = "CHECK", _("Verificação")
    WEBHOOK = "WEBHOOK", _("Webhook")
    MANUAL = "MANUAL", _("Manual")


class ConversationStatus(models.TextChoices):
    OPEN = "OPEN", _("Aberta")
    CLOSED = "CLOSED", _("Encerrada")


class WhatsAppSession(models.Model):
    """One WhatsApp number connected through a provider (an Evolution instance or a WAHA session)."""

    name = models.CharField(_("nome"), max_length=150)
    provider = models.CharField(_("provedor"), max_length=16, choices=Provider.choices)
    base_url = models.URLField(_("URL do provedor"), max_length=300)
    api_key = EncryptedTextField(_("chave de API"), help_text=_("Enviada ao provedor; nunca é exibida de volta."))
    webhook_secret = EncryptedTextField(
        _("segredo dos webhooks"),
        blank=True,
        help_text=_(
            "Evolution: valor do cabeçalho X-Webhook-Secret; WAHA: chave do HMAC-SHA512. "
            "Em branco, vale a chave de API."
        ),
    )
    instance = models.CharField(_("instância / sessão no provedor"), max_length=120)
    phone = models.CharField(_("telefone"), max_length=30, blank=True)
    company = models.ForeignKey(
        "orchestration.Company",
        verbose_name=_("empresa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whatsapp_sessions",
    )
    # The person alerted about this session; without one, the company's active users are.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsável"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatsapp_sessions",
    )
    is_default = models.BooleanField(_("sessão padrão"), default=False)
    status = models.CharField(
        _("situação"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.CONNECTING, db_index=True
    )
    status_changed_at = models.DateTimeField(_("situação desde"), null=True, blank=True)
    # Since when the session has been out of service (DISCONNECTED, QR_REQUIRED or FAILED, in any order):
    # the alert timer, which a move between two of those does not restart.
    down_since = models.DateTimeField(_("fora do ar desde"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("última verificação"), null=True, blank=True)
    last_check_outcome = models.CharField(
        _("resultado da última verificação"), max_length=8, choices=CheckOutcome.choices, blank=True
    )
    last_check_error = models.TextField(_("erro da última verificação"), blank=True)
    # When the provider last answered a check: the health grid's "last success" of the session.
    last_check_ok_at = models.DateTimeField(_("última verificação bem-sucedida"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("verificações seguidas com falha"), default=0)
    last_provider_state = models.CharField(_("último estado no provedor"), max_length=40, blank=True)
    last_event_at = models.DateTimeField(_("último evento de conexão"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("última atividade"), null=True, blank=True)
    created_at = models.DateTimeField(_("cadastrada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("sessão do WhatsApp")
        verbose_name_plural = _("sessões do WhatsApp")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "base_url", "instance"], name="whatsapp_session_one_per_provider_instance"
            ),
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_default=True), name="whatsapp_session_one_default"
            ),
        ]
        permissions = [("sync_whatsappsession", _("Pode sincronizar e fazer a manutenção das sessões do WhatsApp"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.status == SessionStatus.ARCHIVED


class SessionTransition(models.Model):
    """One change of a session's stored status, and what made it."""

    session = models.ForeignKey(
        WhatsAppSession, verbose_name=_("sessão"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("de"), max_length=16, choices=SessionStatus.choices)
    to_status = models.CharField(_("para"), max_length=16, choices=SessionStatus.choices)
    at = models.DateTimeField(_("em"), db_index=True)
    source = models.CharField(_("origem"), max_length=8, choices=TransitionSource.choices)
    provider_state = models.CharField(_("estado no provedor"), max_length=40, blank=True)
    reason = models.TextField(_("motivo"), blank=True)
    execution = models.ForeignKey(
        "orchestration.Execution", verbose_name=_("execução"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("mudança de situação")
        verbose_name_plural = _("mudanças de situação")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["session", "-at"], name="wa_transition_session_idx")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.from_status} → {self.to_status}"


class Conversation(models.Model):
    """A contact's conversation on a session: when it last had a message and whether it is still open."""

    session = models.ForeignKey(
        WhatsAppSession, verbose_name=_("sessão"), on_delete=models.CASCADE, related_name="conversations"
    )
    contact_id = models.CharField(_("contato"), max_length=120)
    last_message_at = models.DateTimeField(_("última mensagem"))
    status = models.CharField(
        _("situação"), max_length=8, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    closed_at = models.DateTimeField(_("encerrada em"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversa")
        verbose_name_plural = _("conversas")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "contact_id"], name="whatsapp_conversation_one_per_contact")
        ]
        indexes = [models.Index(fields=["status", "last_message_at"], name="wa_conversation_open_idx")]

    def __str__(self) -> str:
        return self.contact_id
