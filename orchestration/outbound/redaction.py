"""Keeps secrets out of log lines, error messages and stored URLs."""

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

MASK = "***"

# Query parameters, headers and JSON keys whose values are secrets wherever they appear.
SENSITIVE_NAMES = frozenset(
    {
        "token",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "authorization",
        "x-api-key",
    }
)
_NAMES = "|".join(sorted((re.escape(name) for name in SENSITIVE_NAMES), key=len, reverse=True))
# name=value in a query string or form body, and "name": "value" in JSON.
_QUERY_VALUE = re.compile(rf"(?i)(?<![\w-])((?:{_NAMES})=)[^&#\s'\"]*")
_JSON_VALUE = re.compile(rf"(?i)(\"(?:{_NAMES})\"\s*:\s*\")[^\"]*")
_HEADER_VALUE = re.compile(rf"(?i)(\b(?:{_NAMES})\s*:\s*)[^\s,'\"]+(?:\s+[^\s,'\"]+)?")


# Every secret a client was given, for the filter on urllib3's own DEBUG lines (they print full URLs).
_REMEMBERED_LIMIT = 2000
_remembered: OrderedDict[str, None] = OrderedDict()
_remembered_lock = threading.Lock()


def _remember(secrets: Iterable[str]) -> None:
    with _remembered_lock:
        for secret in secrets:
            _remembered[secret] = None
            _remembered.move_to_end(secret)
        while len(_remembered) > _REMEMBERED_LIMIT:
            _remembered.popitem(last=False)


def is_sensitive(name: str) -> bool:
    return name.strip().lower() in SENSITIVE_NAMES


class Redactor:
    """Replaces known secret values, and values of sensitive names, by `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        for secret in secrets:
            if not secret or len(secret) < 3:
                continue  # masking "a" or "" would shred every message
            forms = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
            self._secrets.update(forms)
            _remember(forms)

    def add_headers(self, headers: Mapping[str, str | bytes]) -> None:
        for name, value in headers.items():
            if is_sensitive(name) and value:
                self.add(str(value), *str(value).split(" ", 1)[1:])

    def child(self) -> "Redactor":
        copy = Redactor()
        copy._secrets = set(self._secrets)
        return copy

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _QUERY_VALUE.sub(rf"\1{MASK}", text)
        text = _JSON_VALUE.sub(rf"\1{MASK}", text)
        return _HEADER_VALUE.sub(lambda match: match.group(1) + MASK, text)


class LibraryLogRedactor(logging.Filter):
    """Redacts records of the HTTP libraries below us, which log request URLs at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _remembered_lock:
            redact = Redactor()
            redact._secrets = set(_remembered)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


LIBRARY_LOGGERS = ("urllib3.connectionpool", "urllib3.poolmanager", "urllib3.connection", "urllib3.util.retry")


def install_library_log_redaction() -> None:
    for name in LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if not any(isinstance(existing, LibraryLogRedactor) for existing in library_logger.filters):
            library_logger.addFilter(LibraryLogRedactor())
