"""The demo schedule: with `make run` and no credentials, a sync against the local simulator every few
minutes, so a newcomer sees runs succeed, fail and recover without waiting for 08:00.

It exists only while DEMO_SIMULATORS is on (every `setup_schedules` adds or removes it), and a run that
finds a real token configured does nothing, so it can never poll a real tenant every few minutes.
"""

from django.conf import settings

from orchestration.services.periodic_tasks import PeriodicTaskWanted, periodic_tasks_sync

DEMO_SCHEDULE_NAME = "Movidesk: demonstração com o simulador"
DEMO_TASK = "integrations.movidesk_sync_demo"
DEMO_EVERY_SECONDS = 120


def movidesk_demo_schedule_write() -> bool:
    """Creates the demo schedule when DEMO_SIMULATORS is on, deletes it otherwise; True if it exists.
    An existing row keeps the `enabled` and the interval the administrator gave it."""
    wanted = {}
    if settings.DEMO_SIMULATORS:
        wanted[DEMO_SCHEDULE_NAME] = PeriodicTaskWanted(
            task=DEMO_TASK,
            every_seconds=DEMO_EVERY_SECONDS,
            kwargs={},
            expire_seconds=DEMO_EVERY_SECONDS,
            description="Só com DEMO_SIMULATORS: sincroniza os três últimos dias com o simulador local.",
        )
    # The deletion is a queryset delete: periodic_tasks_sync moves beat's change marker for it.
    periodic_tasks_sync(
        prefix=DEMO_SCHEDULE_NAME, wanted=wanted, keep_enabled=True, owns_schedule=False, delete_unwanted=True
    )
    return bool(wanted)
