"""Appointments, each professional's Google Calendar integration, and the log of every sync action."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Agendado")
    CONFIRMED = "confirmed", _("Confirmado")
    CANCELLED = "cancelled", _("Cancelado")
    DONE = "done", _("Realizado")


class Appointment(models.Model):
    """One appointment of one professional with one client. `revision` grows with every change made here;
    `synced_revision` is the revision Google has, so `revision > synced_revision` means "changed locally"."""

    uid = models.UUIDField(_("identificador único"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "orchestration.Company", verbose_name=_("empresa"), on_delete=models.PROTECT, related_name="appointments"
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("profissional"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    client_name = models.CharField(_("nome do cliente"), max_length=150)
    client_phone = models.CharField(_("telefone do cliente"), max_length=30, blank=True)
    client_email = models.EmailField(_("e-mail do cliente"), blank=True)
    service = models.CharField(_("serviço"), max_length=150)
    start = models.DateTimeField(_("início"), db_index=True)
    duration_minutes = models.PositiveIntegerField(
        _("duração (minutos)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    status = models.CharField(
        _("situação"), max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    notes = models.TextField(_("observações"), blank=True)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterado em"), auto_now=True)

    # Sync state (written by calendar_sync.services only).
    google_event_id = models.CharField(_("evento no Google"), max_length=1024, blank=True)
    google_etag = models.CharField(_("etag do evento"), max_length=200, blank=True)
    # Hash of the event content last written or accepted: an event listed with it changed nothing.
    google_fingerprint = models.CharField(_("impressão do evento"), max_length=64, blank=True)
    revision = models.PositiveIntegerField(_("revisão"), default=1)
    synced_revision = models.PositiveIntegerField(_("revisão sincronizada"), default=0)
    synced_at = models.DateTimeField(_("sincronizado em"), null=True, blank=True)
    sync_conflict = models.TextField(_("conflito de sincronização"), blank=True)

    class Meta:
        verbose_name = _("agendamento")
        verbose_name_plural = _("agendamentos")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["company", "start"], name="appointment_company_start"),
            models.Index(fields=["professional", "start"], name="appointment_professional_start"),
        ]
        permissions = [("sync_appointment", _("Pode sincronizar agendamentos com o Google Agenda"))]

    def __str__(self) -> str:
        return f"{self.service} - {self.client_name} ({self.start:%d/%m/%Y %H:%M})"

    @property
    def event_id(self) -> str:
        """The event id we choose for this appointment: base32hex, so Google accepts it and a retried
        insert answers 409 instead of making a second event."""
        return self.google_event_id or f"orq{self.uid.hex}"

    @property
    def changed_locally(self) -> bool:
        return self.revision > self.synced_revision


class SyncDirection(models.TextChoices):
    BIDIRECTIONAL = "bidirectional", _("Nos dois sentidos")
    TO_GOOGLE = "to_google", _("Só para o Google")
    FROM_GOOGLE = "from_google", _("Só do Google")


class ConflictResolution(models.TextChoices):
    MANUAL = "manual", _("Manual (mostra o conflito)")
    GOOGLE_WINS = "google_wins", _("O Google prevalece")
    LOCAL_WINS = "local_wins", _("O Orquestra prevalece")


def default_reminders() -> list[int]:
    return [15, 60]


class GoogleCalendarIntegration(models.Model):
    """One professional's connection to one of their Google calendars."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuário"),
        on_delete=models.CASCADE,
        related_name="google_calendar_integration",
    )
    google_email = models.CharField(_("conta Google"), max_length=254, blank=True)
    access_token = EncryptedTextField(_("token de acesso"), blank=True)
    refresh_token = EncryptedTextField(_("token de renovação"), blank=True)
    token_expires_at = models.DateTimeField(_("token expira em"), null=True, blank=True)
    scopes = models.CharField(_("escopos"), max_length=500, blank=True)
    calendar_id = models.CharField(_("agenda"), max_length=300, default="primary")
    calendar_name = models.CharField(_("nome da agenda"), max_length=300, blank=True)
    sync_direction = models.CharField(
        _("sentido"), max_length=16, choices=SyncDirection.choices, default=SyncDirection.BIDIRECTIONAL
    )
    is_active = models.BooleanField(_("ativa"), default=True)
    disabled_reason = models.TextField(_("motivo da desativação"), blank=True)
    last_sync_at = models.DateTimeField(_("última sincronização"), null=True, blank=True)
    sync_token = models.TextField(_("token de sincronização"), blank=True)

    sync_past_days = models.PositiveIntegerField(_("dias no passado"), default=7, validators=[MaxValueValidator(365)])
    sync_future_days = models.PositiveIntegerField(_("dias no futuro"), default=30, validators=[MaxValueValidator(730)])
    event_prefix = models.CharField(_("prefixo do evento"), max_length=60, default="[Agendamento]", blank=True)
    include_client_info = models.BooleanField(_("incluir dados do cliente"), default=True)
    include_notes = models.BooleanField(_("incluir observações"), default=True)
    reminder_minutes = models.JSONField(_("lembretes (minutos)"), default=default_reminders, blank=True)
    conflict_resolution = models.CharField(
        _("resolução de conflitos"),
        max_length=16,
        choices=ConflictResolution.choices,
        default=ConflictResolution.MANUAL,
    )
    timezone = models.CharField(_("fuso horário"), max_length=64, default="America/Sao_Paulo")

    # Push notifications: the watch channel Google posts to (renewed before it expires).
    channel_id = models.CharField(_("canal de notificação"), max_length=64, blank=True)
    channel_resource_id = models.CharField(_("recurso do canal"), max_length=200, blank=True)
    channel_token = EncryptedTextField(_("token do canal"), blank=True)
    channel_expires_at = models.DateTimeField(_("canal expira em"), null=True, blank=True)

    created_at = models.DateTimeField(_("conectada em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("alterada em"), auto_now=True)

    class Meta:
        verbose_name = _("integração com o Google Agenda")
        verbose_name_plural = _("integrações com o Google Agenda")
        ordering = ["user__name", "id"]

    def __str__(self) -> str:
        return f"{self.user} → {self.calendar_name or self.calendar_id}"

    @property
    def pushes(self) -> bool:
        return self.sync_direction in (SyncDirection.BIDIRECTIONAL, SyncDirection.TO_GOOGLE)

    @property
    def pulls(self) -> bool:
        return self.sync_direction in (SyncDirection.BIDIRECTIONAL, SyncDirection.FROM_GOOGLE)


class LogDirection(models.TextChoices):
    TO_GOOGLE = "to_google", _("Para o Google")
    FROM_GOOGLE = "from_google", _("Do Google")


class LogAction(models.TextChoices):
    CREATE = "create", _("Criação")
    UPDATE = "update", _("Alteração")
    DELETE = "delete", _("Exclusão")


class LogStatus(models.TextChoices):
    SUCCESS = "success", _("Sucesso")
    ERROR = "error", _("Erro")
    SKIPPED = "skipped", _("Ignorado")


class CalendarSyncLog(models.Model):
    """One action of a sync on one appointment (or event)."""

    integration = models.ForeignKey(
        GoogleCalendarIntegration,
        verbose_name=_("integração"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuário"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_sync_logs",
    )
    company = models.ForeignKey(
        "orchestration.Company",
        verbose_name=_("empresa"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_sync_logs",
    )
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("agendamento"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sync_logs",
    )
    execution = models.ForeignKey(
        "orchestration.Execution",
        verbose_name=_("execução"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sync_direction = models.CharField(_("sentido"), max_length=16, choices=LogDirection.choices)
    action = models.CharField(_("ação"), max_length=16, choices=LogAction.choices)
    status = models.CharField(_("resultado"), max_length=16, choices=LogStatus.choices)
    google_event_id = models.CharField(_("evento no Google"), max_length=1024, blank=True)
    error_message = models.TextField(_("erro"), blank=True)
    synced_at = models.DateTimeField(_("registrado em"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("registro de sincronização")
        verbose_name_plural = _("registros de sincronização")
        ordering = ["-synced_at", "-id"]
        indexes = [models.Index(fields=["integration", "-synced_at"], name="calendarsynclog_integration")]

    def __str__(self) -> str:
        return f"{self.get_sync_direction_display()} {self.get_action_display()}: {self.get_status_display()}"
