"""The Celery application. Tasks are discovered in every installed app's tasks.py."""

import logging
import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("orquestra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_through_django(loglevel: int | str | None = None, **kwargs: Any) -> None:
    """Worker and beat log through Django's LOGGING (JSON in production), not Celery's own handlers.

    Without a receiver Celery gives the task loggers a text handler of its own that does not propagate, so
    task logs would stay text whatever LOGGING says. `--loglevel` still sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
