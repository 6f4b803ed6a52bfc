"""Kommo's schedules (found by `setup_schedules`): the daily full sync (KOMMO_SYNC_CRONTAB), and while
DEMO_SIMULATORS is on, a sync every few minutes against the local simulator so `make run` shows the
replicas being kept in line."""

from django.conf import settings

from integrations.kommo.models import SyncType
from orchestration.registries.schedules import register_schedule_hook
from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync

SCHEDULE_PREFIX = "Kommo: "
SCHEDULE_NAME = "Kommo: sincronização completa"
DEMO_SCHEDULE_NAME = "Kommo: demonstração com o simulador"
SCHEDULED_TASK = "integrations.kommo_sync_scheduled"
DEMO_EVERY_SECONDS = 180


def kommo_schedules_write() -> list[str]:
    wanted: dict[str, PeriodicTaskWanted] = {}
    crontab = str(settings.KOMMO_SYNC_CRONTAB or "").strip()
    if crontab:
        wanted[SCHEDULE_NAME] = PeriodicTaskWanted(
            task=SCHEDULED_TASK,
            crontab=crontab,
            kwargs={"sync_type": SyncType.FULL},
            expire_seconds=30 * 60,
            description="Funis, etapas e campos da conta mestre para todas as réplicas ativas (KOMMO_SYNC_CRONTAB).",
        )
    if settings.DEMO_SIMULATORS and not settings.KOMMO_BASE_URL:
        wanted[DEMO_SCHEDULE_NAME] = PeriodicTaskWanted(
            task=SCHEDULED_TASK,
            every_seconds=DEMO_EVERY_SECONDS,
            kwargs={"sync_type": SyncType.FULL},
            expire_seconds=DEMO_EVERY_SECONDS,
            description="Só com DEMO_SIMULATORS: mantém as réplicas do simulador iguais à mestre.",
        )
    periodic_tasks_sync(prefix=SCHEDULE_PREFIX, wanted=wanted, keep_enabled=True, delete_unwanted=True)
    return sorted(wanted)


def kommo_schedules() -> None:
    kommo_schedules_write()


register_schedule_hook(kommo_schedules)
