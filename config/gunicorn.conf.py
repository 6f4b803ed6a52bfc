"""gunicorn's settings file (Procfile `web`: `-c config/gunicorn.conf.py`).

gunicorn and its Uvicorn workers log through handlers of their own (start-up, worker boots, errors, the
access lines); this hands them the same LOGGING as every other process: JSON in production, one object a
line. gunicorn reads only the module-level names that are its settings, so the others are private."""

from django.conf import settings as _settings

_own_loggers = {"handlers": ["console"], "level": "INFO", "propagate": False}
logconfig_dict = {
    **_settings.LOGGING,
    "loggers": {
        **_settings.LOGGING.get("loggers", {}),
        "gunicorn.error": _own_loggers,
        "gunicorn.access": _own_loggers,
    },
}


def child_exit(server: object, worker: object) -> None:
    """A worker that exits leaves its live gauges behind in PROMETHEUS_MULTIPROC_DIR unless it is marked dead."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
