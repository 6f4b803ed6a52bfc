"""Remote jobs: work that runs elsewhere (the RPA server's robots) and that the ledger follows.

A RemoteJob belongs to one Execution (which stays RUNNING while the job runs, holding no worker) and is
driven by the monitor (orchestration.services.remote_jobs): started when its pool has a free slot, polled at
most once per its handler's interval, its log read from `log_cursor` on, ended by its handler. The
constraints are what make the guarantees hold across workers: a pool never has more jobs in flight than it
has slots, and one subject (an invoice process) never has two active jobs."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orchestration.models.executions import Execution


class RemoteJobState(models.TextChoices):
    WAITING = "WAITING", _("Aguardando vaga")
    STARTING = "STARTING", _("Iniciando")
    RUNNING = "RUNNING", _("Em execução remota")
    FINISHED = "FINISHED", _("Encerrado")

    @classmethod
    def active(cls) -> tuple[str, ...]:
        return (cls.WAITING, cls.STARTING, cls.RUNNING)


class RemoteJob(models.Model):
    execution = models.ForeignKey(
        Execution, verbose_name=_("execução"), on_delete=models.CASCADE, related_name="remote_jobs"
    )
    handler = models.CharField(_("tratador"), max_length=64, db_index=True)
    pool = models.CharField(_("grupo de vagas"), max_length=64)
    # The in-flight slot held while STARTING or RUNNING; unique per pool, so the limit holds across workers.
    slot = models.PositiveIntegerField(_("vaga"), null=True, blank=True)
    # What the job is about ("invoice:42"); at most one active job per subject.
    subject_key = models.CharField(_("objeto"), max_length=120)
    state = models.CharField(
        _("estado"), max_length=16, choices=RemoteJobState.choices, default=RemoteJobState.WAITING, db_index=True
    )
    parameters = models.JSONField(_("parâmetros"), default=dict, blank=True)
    remote_id = models.CharField(_("id do job remoto"), max_length=120, blank=True, db_index=True)
    remote_status = models.CharField(_("situação remota"), max_length=32, blank=True)
    log_cursor = models.BigIntegerField(_("posição no log remoto"), default=0)
    not_before = models.DateTimeField(_("não antes de"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("próxima consulta"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("prazo"), null=True, blank=True)
    polls = models.PositiveIntegerField(_("consultas"), default=0)
    busy_answers = models.PositiveIntegerField(_("respostas de servidor ocupado"), default=0)
    result = models.JSONField(_("resultado"), default=dict, blank=True)
    error = models.TextField(_("erro"), blank=True)
    created_at = models.DateTimeField(_("criado em"), auto_now_add=True)
    started_at = models.DateTimeField(_("iniciado em"), null=True, blank=True)
    finished_at = models.DateTimeField(_("encerrado em"), null=True, blank=True)

    class Meta:
        verbose_name = _("job remoto")
        verbose_name_plural = _("jobs remotos")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "slot"], condition=Q(slot__isnull=False), name="remote_job_pool_slot_unique"
            ),
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=Q(state__in=["WAITING", "STARTING", "RUNNING"]),
                name="remote_job_one_active_per_subject",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_poll_at"], name="remote_job_state_poll_idx")]

    def __str__(self) -> str:
        return f"{self.handler} {self.remote_id or '-'} ({self.get_state_display()})"
