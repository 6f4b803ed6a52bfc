"""A small demo data set for `make run`: one user per role and a few finished executions.

Idempotent: users are matched by e-mail, and the executions are written only when no demo execution
exists yet (they carry `parameters["demo"] = True`). Never meant for production (the command refuses).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Role, Trigger, User
from orchestration.services.executions import (
    execution_create,
    execution_fail,
    execution_log,
    execution_set_counters,
    execution_skip,
    execution_start,
    execution_succeed,
)

DEMO_PASSWORD = "orquestra-demo"  # noqa: S105 - a documented demo password, local installations only
DEMO_USERS: list[tuple[str, str, str]] = [
    (Role.ADMINISTRATOR, "admin.demo@orquestra.local", "Ana Administradora (demo)"),
    (Role.APPROVER, "aprovador.demo@orquestra.local", "Bruno Aprovador (demo)"),
    (Role.OPERATOR, "operador.demo@orquestra.local", "Carla Operadora (demo)"),
]


@dataclass(frozen=True)
class DemoRun:
    kind: str
    status: str
    hours_ago: float
    seconds: int
    lines: list[tuple[str, str]]
    trigger: str = Trigger.SCHEDULE
    counters: dict[str, int] = field(default_factory=dict)
    error: str = ""
    attempt: int = 1
    started_by_role: str | None = None


# A failure followed by its recovery, a partial run, a skipped overlap, a timeout: the states a newcomer
# meets first in the ledger. Kinds are spelled like the apps' own (integrations' MOVIDESK_SYNC), written out
# here because orchestration imports no app.
DEMO_RUNS: list[DemoRun] = [
    DemoRun(
        kind="MOVIDESK_SYNC",
        status=ExecutionStatus.FAILED,
        hours_ago=26,
        seconds=4,
        lines=[(LogLevel.INFO, "Buscando tickets alterados nos últimos 3 dias.")],
        error="Movidesk recusou o token (HTTP 401). Verifique o token da integração.",
    ),
    DemoRun(
        kind="MOVIDESK_SYNC",
        status=ExecutionStatus.SUCCEEDED,
        hours_ago=25,
        seconds=38,
        attempt=2,
        lines=[
            (LogLevel.INFO, "Buscando tickets alterados nos últimos 3 dias."),
            (LogLevel.WARNING, "Limite de requisições atingido (HTTP 429); aguardando 12 s."),
            (LogLevel.INFO, "Página 1 de 3: 100 tickets."),
            (LogLevel.INFO, "Página 2 de 3: 100 tickets."),
            (LogLevel.INFO, "Página 3 de 3: 17 tickets."),
            (LogLevel.INFO, "Sincronização concluída! Novos: 12, Atualizados: 41, Inalterados: 164, Total: 217"),
        ],
        counters={"new": 12, "updated": 41, "unchanged": 164, "total": 217},
    ),
    DemoRun(
        kind="KOMMO_CONFIG_SYNC",
        status=ExecutionStatus.PARTIAL,
        hours_ago=8,
        seconds=21,
        trigger=Trigger.MANUAL,
        started_by_role=Role.OPERATOR,
        lines=[
            (LogLevel.INFO, "Conta mestre: 14 campos, 3 funis."),
            (LogLevel.INFO, "Réplica 'Filial Sul': atualizada."),
            (LogLevel.WARNING, "Réplica 'Filial Norte': campo 'CNPJ' com tipo diferente; não alterado."),
        ],
        counters={"replicas": 2, "fields_updated": 9, "conflicts": 1},
    ),
    DemoRun(
        kind="CALENDAR_SYNC",
        status=ExecutionStatus.SKIPPED,
        hours_ago=3,
        seconds=0,
        lines=[(LogLevel.WARNING, "Outra sincronização do calendário ainda está em andamento; ignorada.")],
    ),
    DemoRun(
        kind="WHATSAPP_SESSION_CHECK",
        status=ExecutionStatus.SUCCEEDED,
        hours_ago=1,
        seconds=3,
        trigger=Trigger.API,
        started_by_role=Role.ADMINISTRATOR,
        lines=[(LogLevel.INFO, "4 sessões verificadas: 3 conectadas, 1 aguardando QR code.")],
        counters={"sessions": 4, "connected": 3},
    ),
    DemoRun(
        kind="RPA_INVOICE_DOWNLOAD",
        status=ExecutionStatus.TIMED_OUT,
        hours_ago=0.5,
        seconds=1500,
        lines=[
            (LogLevel.INFO, "Portal da operadora: login efetuado."),
            (LogLevel.WARNING, "Fatura de 10/2026 ainda não disponível; nova consulta em 60 s."),
        ],
        error="O robô não respondeu em 25 minutos.",
    ),
]


@dataclass(frozen=True)
class DemoDataLoaded:
    users_created: list[User]
    executions_created: int


def _demo_users() -> tuple[list[User], dict[str, User]]:
    created, by_role = [], {}
    for role, email, name in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, name=name, role=role)
            created.append(user)
        by_role[role] = user
    return created, by_role


def _write_run(run: DemoRun, user: User | None, now: datetime) -> Execution:
    execution = execution_create(
        kind=run.kind,
        trigger=run.trigger,
        parameters={"demo": True},
        user=user,
        ip="127.0.0.1" if user else None,
        user_agent="demo" if user else "",
    )
    execution_start(execution=execution)
    for level, message in run.lines:
        execution_log(execution=execution, message=message, level=level)
    if run.counters:
        execution_set_counters(execution=execution, **run.counters)
    if run.status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL):
        execution_succeed(execution=execution, partial=run.status == ExecutionStatus.PARTIAL)
    elif run.status == ExecutionStatus.SKIPPED:
        execution_skip(execution=execution, reason=run.lines[-1][1])
    else:
        execution_fail(execution=execution, error=run.error, status=run.status)

    # Spread the runs over the last day so the ledger reads like a history, not one instant.
    started = now - timedelta(hours=run.hours_ago)
    Execution.objects.filter(pk=execution.pk).update(
        created_at=started,
        started_at=started,
        finished_at=started + timedelta(seconds=run.seconds),
        attempt=run.attempt,
    )
    lines = list(ExecutionLogLine.objects.filter(execution=execution).order_by("id"))
    step = run.seconds / max(len(lines) - 1, 1)
    for index, line in enumerate(lines):
        line.created_at = started + timedelta(seconds=step * index)
    ExecutionLogLine.objects.bulk_update(lines, ["created_at"])
    return execution


def demo_data_load(*, now: datetime | None = None) -> DemoDataLoaded:
    now = now or timezone.now()
    with transaction.atomic():
        users_created, by_role = _demo_users()
        if Execution.objects.filter(parameters__demo=True).exists():
            return DemoDataLoaded(users_created=users_created, executions_created=0)
        for run in DEMO_RUNS:
            user = by_role.get(run.started_by_role) if run.started_by_role else None
            _write_run(run, user, now)
    return DemoDataLoaded(users_created=users_created, executions_created=len(DEMO_RUNS))
