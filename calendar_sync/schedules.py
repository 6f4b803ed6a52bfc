"""calendar_sync's periodic tasks (the source's three), plus the demo's while DEMO_SIMULATORS is on."""

from django.conf import settings

from orchestration.registries.schedules import ScheduleSpec, register_schedule, register_schedule_hook
from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync

register_schedule(
    ScheduleSpec(
        name="calendar_sync.sync_all_integrations",
        task="calendar_sync.sync_all_integrations",
        crontab="0 */4 * * *",
        description="A cada 4 horas: sincroniza todas as agendas do Google ativas (uma execução filha por agenda).",
        expire_seconds=3600,
    )
)
register_schedule(
    ScheduleSpec(
        name="calendar_sync.sync_recent_changes",
        task="calendar_sync.sync_recent_changes",
        every_seconds=15 * 60,
        description=(
            "A cada 15 minutos: envia os agendamentos alterados e lê as mudanças do Google (token de sincronização)."
        ),
        expire_seconds=14 * 60,
    )
)
register_schedule(
    ScheduleSpec(
        name="calendar_sync.cleanup_expired_tokens",
        task="calendar_sync.cleanup_expired_tokens",
        crontab="0 2 * * *",
        description="Diariamente às 02:00: apaga tokens que não servem mais e renova os tokens de acesso vencidos.",
        expire_seconds=3600,
    )
)

DEMO_SCHEDULE_NAME = "Google Agenda: demonstração com o simulador"
DEMO_EVERY_SECONDS = 120


def calendar_demo_schedule_write() -> bool:
    """While DEMO_SIMULATORS is on, the recent-changes sync every 2 minutes, so the demo shows changes made in
    the simulated calendar coming back; removed when it is off."""
    wanted = {}
    if settings.DEMO_SIMULATORS and not settings.GOOGLE_CALENDAR_CLIENT_ID:
        wanted[DEMO_SCHEDULE_NAME] = PeriodicTaskWanted(
            task="calendar_sync.sync_recent_changes",
            every_seconds=DEMO_EVERY_SECONDS,
            kwargs={},
            expire_seconds=DEMO_EVERY_SECONDS,
            description="Só com DEMO_SIMULATORS: sincroniza as agendas com o simulador local.",
        )
    periodic_tasks_sync(
        prefix=DEMO_SCHEDULE_NAME, wanted=wanted, keep_enabled=True, owns_schedule=False, delete_unwanted=True
    )
    return bool(wanted)


register_schedule_hook(calendar_demo_schedule_write)
