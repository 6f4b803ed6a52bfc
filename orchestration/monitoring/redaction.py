"""A logging filter that masks the configured secrets in every message, whatever logged them.

Our code never logs a secret on purpose; this is the net under a library that prints a URL with its password
or an exception that quotes a token. Only values of eight characters or more are masked (shorter ones would
mask ordinary words)."""

import logging
from urllib.parse import urlsplit

from django.conf import settings

MASK = "[redacted]"
_MIN_LENGTH = 8
_SECRET_SETTINGS = (
    "SECRET_KEY",
    "METRICS_TOKEN",
    "EMAIL_HOST_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "RPA_API_TOKEN",
    "MOVIDESK_TOKEN",
    "KOMMO_CLIENT_SECRET",
    "KOMMO_WEBHOOK_SECRET",
    "GOOGLE_CALENDAR_CLIENT_SECRET",
)
_URL_SETTINGS = ("REDIS_URL", "CELERY_BROKER_URL")


def _secrets() -> tuple[str, ...]:
    values: list[str] = [str(getattr(settings, name, "") or "") for name in _SECRET_SETTINGS]
    values += [str(key) for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", [])]
    values.append(str(settings.DATABASES.get("default", {}).get("PASSWORD") or ""))
    for name in _URL_SETTINGS:
        values.append(urlsplit(str(getattr(settings, name, "") or "")).password or "")
    # Longest first: a secret that contains another is masked whole.
    return tuple(sorted({value for value in values if len(value) >= _MIN_LENGTH}, key=len, reverse=True))


class RedactSecrets(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._values: tuple[str, ...] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self._values is None:
            self._values = _secrets()
        if not self._values:
            return True
        message = record.getMessage()
        if any(value in message for value in self._values):
            for value in self._values:
                message = message.replace(value, MASK)
            record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and any(value in record.exc_text for value in self._values):
            for value in self._values:
                record.exc_text = record.exc_text.replace(value, MASK)
            # Formatters re-render exc_info when they have it; the masked text is all they may print.
            record.exc_info = None
        return True
