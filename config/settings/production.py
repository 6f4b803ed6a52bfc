"""Production: refuses to start half-configured (secrets, PostgreSQL, a real broker, Redis); HTTPS behind a
TLS-terminating proxy is one switch, HTTPS_BEHIND_PROXY (on by default)."""

import logging
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    CSRF_TRUSTED_ORIGINS,
    DATABASES,
    FIELD_ENCRYPTION_KEYS,
    LOG_LEVEL,
    REDIS_URL,
    SECRET_KEY,
    env,
)
from .logs import logging_config

DEBUG = False

# --- Secrets ----------------------------------------------------------------------------------------
if not SECRET_KEY or SECRET_KEY.startswith("orquestra-local") or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 32 characters in production.")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must list at least one Fernet key in production "
        '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
    )

# --- Services: PostgreSQL, a real broker, Redis -----------------------------------------------------
# base.py falls back to the embedded defaults (SQLite, file-system broker, no Redis); production must not.
POSTGRESQL_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set in production to a PostgreSQL database: postgres://user:password@host:5432/name."
    )
if DATABASES["default"]["ENGINE"] not in POSTGRESQL_ENGINES:
    raise ImproperlyConfigured(
        f"DATABASE_URL must point to PostgreSQL in production (postgres://user:password@host:5432/name), "
        f"not {DATABASES['default']['ENGINE']}."
    )

_broker_url = env.str("CELERY_BROKER_URL", default="")
_broker_scheme = urlsplit(_broker_url).scheme.split("+")[0]
if not _broker_url:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set in production to a real broker: redis://host:6379/1.")
if _broker_scheme in {"filesystem", "memory"}:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be a real broker in production (redis://host:6379/1), not {_broker_scheme}://: "
        "that transport only reaches processes on this machine."
    )

if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production (redis://host:6379/0): locks, rate limits shared by all workers, cache."
    )
if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured(
        f"REDIS_URL must be a redis://, rediss:// or unix:// URL in production, not {REDIS_URL}."
    )

# --- HTTPS behind a TLS-terminating proxy -----------------------------------------------------------
# One switch, on by default: the proxy says "https" in X-Forwarded-Proto, plain HTTP is redirected (except
# /healthz, which the container's health check and load balancers call directly), HSTS, cookies over HTTPS
# only, and the allowed hosts trusted for CSRF as https:// origins. Off (HTTPS_BEHIND_PROXY=false): plain
# HTTP, e.g. trying the compose stack on a laptop; never trust X-Forwarded-Proto without a proxy that sets it.
HTTPS_BEHIND_PROXY = env.bool("HTTPS_BEHIND_PROXY", default=True)
if HTTPS_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # /metrics too: Prometheus scrapes the web container directly, with a token or from an allowed network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    # cookiecutter-django's advice: start at 60 s, raise (to 31536000) once HTTPS is known to work everywhere.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if not CSRF_TRUSTED_ORIGINS:
        # ".example.com" in ALLOWED_HOSTS means the domain and its subdomains; "*" names no origin.
        CSRF_TRUSTED_ORIGINS = [
            f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in ALLOWED_HOSTS if host != "*"
        ]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS_BEHIND_PROXY)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS_BEHIND_PROXY)

# --- E-mail: SMTP from the environment ----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Logs: one JSON object a line (time, level, logger, message) on stdout, for the log collector -------
# Django, our apps, gunicorn's workers and Celery's worker and beat (config/celery.py) all log through this.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
# Python's warnings as log records too (logger py.warnings), not bare lines on stderr.
logging.captureWarnings(True)
