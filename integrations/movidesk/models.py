"""Movidesk tickets as we store them, the sync settings (singleton) and backfill progress."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField

DEFAULT_SYNC_TIMES = ["08:00", "12:00", "18:00"]


def default_sync_times() -> list[str]:
    return list(DEFAULT_SYNC_TIMES)


class BaseStatus(models.TextChoices):
    NEW = "New", _("Novo")
    IN_ATTENDANCE = "InAttendance", _("Em atendimento")
    STOPPED = "Stopped", _("Parado")
    CANCELED = "Canceled", _("Cancelado")
    RESOLVED = "Resolved", _("Resolvido")
    CLOSED = "Closed", _("Fechado")


class MovideskTicket(models.Model):
    """A Movidesk ticket as last read. Never deleted by a sync: absence from a window means nothing."""

    id = models.BigIntegerField(_("número"), primary_key=True)
    protocol = models.CharField(_("protocolo"), max_length=30, blank=True)
    subject = models.TextField(_("assunto"), blank=True)
    status = models.CharField(_("situação"), max_length=128, blank=True)
    base_status = models.CharField(_("situação base"), max_length=32, blank=True, choices=BaseStatus.choices)
    category = models.CharField(_("categoria"), max_length=128, blank=True)
    urgency = models.CharField(_("urgência"), max_length=128, blank=True)
    owner_person_id = models.CharField(_("responsável (id Movidesk)"), max_length=64, blank=True)
    owner_name = models.CharField(_("responsável"), max_length=128, blank=True)
    owner_email = models.CharField(_("e-mail do responsável"), max_length=254, blank=True)
    owner_team = models.CharField(_("equipe"), max_length=128, blank=True)
    clients = models.JSONField(_("clientes"), default=list, blank=True)
    created_date = models.DateTimeField(_("aberto em"), null=True, blank=True)
    last_update = models.DateTimeField(_("atualizado no Movidesk em"))
    raw = models.JSONField(_("JSON recebido"), default=dict, blank=True)
    first_synced_at = models.DateTimeField(_("primeira sincronização"))
    synced_at = models.DateTimeField(_("gravado em"), help_text=_("Última vez que uma sincronização alterou a linha."))

    class Meta:
        verbose_name = _("ticket do Movidesk")
        verbose_name_plural = _("tickets do Movidesk")
        ordering = ["-last_update", "-id"]
        permissions = [("sync_movideskticket", _("Pode sincronizar tickets do Movidesk"))]
        indexes = [
            models.Index(fields=["-last_update"], name="ticket_last_update_idx"),
            models.Index(fields=["base_status", "-last_update"], name="ticket_base_status_idx"),
            models.Index(fields=["owner_team", "-last_update"], name="ticket_owner_team_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.subject[:60]}"


class MovideskSettings(models.Model):
    """The one row of Movidesk settings. Saving it rewrites the sync PeriodicTasks at once."""

    token = EncryptedTextField(
        _("token da API"),
        blank=True,
        help_text=_(
            "Guardado criptografado; tem prioridade sobre a variável MOVIDESK_TOKEN. Em branco mantém o atual."
        ),
    )
    enabled = models.BooleanField(_("sincronização automática ativa"), default=True)
    sync_times = models.JSONField(
        _("horários da sincronização automática"),
        default=default_sync_times,
        help_text=_("Horários HH:MM (horário de Brasília). Cada execução cobre hoje e os dois dias anteriores."),
    )
    updated_at = models.DateTimeField(_("atualizado em"), auto_now=True)

    class Meta:
        verbose_name = _("configuração do Movidesk")
        verbose_name_plural = _("configuração do Movidesk")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="movidesk_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Configuração do Movidesk"))


class MovideskBackfill(models.Model):
    """Progress of `sync_movidesk --since`: re-running with the same start continues at `next_date`."""

    since = models.DateField(_("desde"), unique=True)
    until = models.DateField(_("até"))
    next_date = models.DateField(_("próxima data a sincronizar"))
    windows_done = models.PositiveIntegerField(_("janelas concluídas"), default=0)
    last_execution = models.ForeignKey(
        "orchestration.Execution",
        verbose_name=_("última execução"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)
    updated_at = models.DateTimeField(_("atualizado em"), auto_now=True)

    class Meta:
        verbose_name = _("carga histórica do Movidesk")
        verbose_name_plural = _("cargas históricas do Movidesk")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.since:%d/%m/%Y} – {self.until:%d/%m/%Y}"

    @property
    def is_complete(self) -> bool:
        return self.next_date > self.until
