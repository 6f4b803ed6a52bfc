"""The demo schedule: with `make run` and no credentials, a sync against the local simulator every few
minutes, so a newcomer sees runs succeed, fail and recover without waiting for 08:00.

It exists only while DEMO_SIMULATORS is on (every `setup_schedules` adds or removes it), and a run that
finds a real token configured does nothing, so it can never poll a real tenant every few minutes.
"""

import json

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from orchestration.services.schedules import interval_schedule_for

DEMO_SCHEDULE_NAME = "Movidesk: demonstração com o simulador"
DEMO_TASK = "integrations.movidesk_sync_demo"
DEMO_EVERY_SECONDS = 120


@transaction.atomic
def movidesk_demo_schedule_write() -> bool:
    """Creates the demo schedule when DEMO_SIMULATORS is on, deletes it otherwise; True if it exists."""
    if not settings.DEMO_SIMULATORS:
        PeriodicTask.objects.filter(name=DEMO_SCHEDULE_NAME).delete()  # the delete signal tells beat
        return False
    PeriodicTask.objects.get_or_create(
        name=DEMO_SCHEDULE_NAME,
        defaults={
            "task": DEMO_TASK,
            "interval": interval_schedule_for(DEMO_EVERY_SECONDS),
            "kwargs": json.dumps({}),
            "expire_seconds": DEMO_EVERY_SECONDS,
            "description": "Só com DEMO_SIMULATORS: sincroniza os três últimos dias com o simulador local.",
        },
    )
    return True
