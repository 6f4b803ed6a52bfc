"""The LOGGING dict of every environment: one line per record on the console, as text or as JSON.

JSON (production's default, LOG_FORMAT=json) is one object per line with `time` (ISO 8601, UTC), `level`,
`logger` and `message`, plus `exc_info` and the record's extra fields, for a log collector to index.
Django's request objects are left out (their repr carries the query string, where a webhook secret may be);
the redaction filter masks the configured secrets wherever a message would print one."""

from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

LOG_FORMATS = ("json", "text")


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}.")
    console = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "filters": ["redact_secrets"],
        "stream": "ext://sys.stdout" if log_format == "json" else "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_secrets": {"()": "orchestration.monitoring.redaction.RedactSecrets"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
                "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time", "scope", "color_message"],
                "json_ensure_ascii": False,
            },
        },
        "handlers": {"console": console},
        "root": {"handlers": ["console"], "level": level},
        # runserver's request lines have a handler of their own in Django's defaults; one format for all.
        "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
