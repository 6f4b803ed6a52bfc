"""Embedded defaults for `make run`: SQLite, file-system broker, local media, demo simulators."""

import base64
import hashlib

from .base import *  # noqa: F403
from .base import FIELD_ENCRYPTION_KEYS, SECRET_KEY, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "orquestra-local-development-only-not-secret"
if not FIELD_ENCRYPTION_KEYS:
    # A stable key derived from the development SECRET_KEY so local data stays readable across runs.
    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
DEMO_SIMULATORS = env.bool("DEMO_SIMULATORS", default=False)
