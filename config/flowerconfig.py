"""Flower's configuration (`celery -A config flower --conf=config/flowerconfig.py`, the Procfile's `flower`).

Flower shows every task's arguments and results and can revoke tasks and stop workers, so it never starts
open: without FLOWER_BASIC_AUTH (`user:password`, several separated by commas) it exits with an error. Flower
reads FLOWER_* variables itself (FLOWER_PORT, FLOWER_URL_PREFIX, ...); the credentials are read from the
environment here, not passed on the command line, so they do not show in the process list. Its logs go
through the same LOGGING as the other processes (JSON by default: this is a production process)."""

# Module-level names are read as Tornado options (`logging` is one): imports go under private names.
import os as _os
import sys as _sys
from logging.config import dictConfig as _dict_config

from config.settings.logs import logging_config as _logging_config

_credentials = [item.strip() for item in _os.environ.get("FLOWER_BASIC_AUTH", "").split(",") if item.strip()]
if not _credentials:
    _sys.exit(
        "FLOWER_BASIC_AUTH is not set: Flower does not start without credentials (user:password[,user2:password2])."
    )
if any(not user or not password for user, _, password in (item.partition(":") for item in _credentials)):
    _sys.exit("FLOWER_BASIC_AUTH must be user:password (several separated by commas), each with both parts.")

basic_auth = _credentials
_dict_config(
    _logging_config(_os.environ.get("LOG_FORMAT", "json") or "json", _os.environ.get("LOG_LEVEL", "INFO") or "INFO")
)
