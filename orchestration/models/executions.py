from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExecutionStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Na fila")
    RUNNING = "RUNNING", _("Em execução")
    SUCCEEDED = "SUCCEEDED", _("Concluída")
    PARTIAL = "PARTIAL", _("Concluída parcialmente")
    FAILED = "FAILED", _("Falhou")
    RETRYING = "RETRYING", _("Aguardando nova tentativa")
    CANCELLED = "CANCELLED", _("Cancelada")
    TIMED_OUT = "TIMED_OUT", _("Tempo esgotado")
    SKIPPED = "SKIPPED", _("Ignorada")

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.SUCCEEDED, cls.PARTIAL, cls.FAILED, cls.CANCELLED, cls.TIMED_OUT, cls.SKIPPED})


class Trigger(models.TextChoices):
    SCHEDULE = "SCHEDULE", _("Agendamento")
    MANUAL = "MANUAL", _("Manual")
    API = "API", _("API")
    WEBHOOK = "WEBHOOK", _("Webhook")


class LogLevel(models.TextChoices):
    DEBUG = "DEBUG", _("Depuração")
    INFO = "INFO", _("Informação")
    WARNING = "WARNING", _("Aviso")
    ERROR = "ERROR", _("Erro")


class Execution(models.Model):
    """One run of one job, whatever started it. The ledger every app records into."""

    kind = models.CharField(_("tipo"), max_length=64, db_index=True)
    # A fan-out run (one child per account, session or invoice) is a parent whose children are executions too.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("execução principal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    # What the run is about (an invoice process, a Kommo account, a WhatsApp session), when it is one thing.
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("tipo do objeto"), null=True, blank=True, on_delete=models.SET_NULL
    )
    subject_id = models.CharField(_("id do objeto"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(
        _("situação"), max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.QUEUED, db_index=True
    )
    trigger = models.CharField(_("origem"), max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("iniciada por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="executions",
    )
    requester_ip = models.GenericIPAddressField(_("IP de origem"), null=True, blank=True)
    user_agent = models.CharField(_("navegador/cliente"), max_length=300, blank=True)
    parameters = models.JSONField(_("parâmetros"), default=dict, blank=True)
    counters = models.JSONField(_("contadores"), default=dict, blank=True)
    error_type = models.CharField(_("tipo de erro"), max_length=120, blank=True)
    error = models.TextField(_("erro"), blank=True)
    attempt = models.PositiveIntegerField(_("tentativa"), default=1)
    lock_key = models.CharField(_("chave de exclusividade"), max_length=120, blank=True)
    celery_task_id = models.CharField(_("tarefa Celery"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("criada em"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("iniciada em"), null=True, blank=True)
    finished_at = models.DateTimeField(_("encerrada em"), null=True, blank=True)

    class Meta:
        verbose_name = _("execução")
        verbose_name_plural = _("execuções")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "-created_at"]),
            models.Index(fields=["parent", "status"], name="execution_parent_status_idx"),
            models.Index(fields=["subject_type", "subject_id", "-created_at"], name="execution_subject_idx"),
        ]
        permissions = [
            ("cancel_execution", _("Pode cancelar execuções")),
            ("retry_execution", _("Pode reexecutar os itens com falha de uma execução")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in ExecutionStatus.terminal()

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ExecutionLogLine(models.Model):
    """A log line of an execution; its id is the SSE event id (ids grow, though concurrent writers may commit
    them out of order: the live-log hub re-reads a short window for that)."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="log_lines")
    level = models.CharField(_("nível"), max_length=8, choices=LogLevel.choices, default=LogLevel.INFO)
    message = models.TextField(_("mensagem"))
    created_at = models.DateTimeField(_("registrada em"), auto_now_add=True)

    class Meta:
        verbose_name = _("linha de log")
        verbose_name_plural = _("linhas de log")
        ordering = ["id"]
        indexes = [models.Index(fields=["execution", "id"])]

    def __str__(self) -> str:
        return f"[{self.level}] {self.message[:80]}"
