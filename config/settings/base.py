"""Settings shared by every environment. Every value comes from the environment (or `.env`)."""

import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ORQUESTRA_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "storages",
    "django_htmx",
    "orchestration",
    "integrations",
    "calendar_sync",
    "whatsapp_health",
]

MIDDLEWARE = [
    # First and last: django-prometheus's request metrics (README "Monitoring") time everything in between.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "db.sqlite3"
# An empty DATABASE_URL means unset, like every other variable (production then refuses to start).
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets web, worker and beat read while one of them writes; IMMEDIATE transactions plus a
    # busy timeout make concurrent writers wait for each other instead of failing with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional): locks, rate limits, cache ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "orquestra_cache",
        }
    }

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "orchestration.User"
AUTHENTICATION_BACKENDS = ["orchestration.auth_backend.ThrottledEmailBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_IP_LIMIT = env.int("LOGIN_FAILURE_IP_LIMIT", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# How many reverse proxies in front of the web process add to X-Forwarded-For. 0: the header is ignored
# and the client address is REMOTE_ADDR (anyone can send the header; trusting it defeats the throttles).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
CSRF_FAILURE_VIEW = "orchestration.views.errors.csrf_failure"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Secrets at rest ------------------------------------------------------------------------------
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Português (Brasil)")), ("en", _("Inglês"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="us-east-1")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
# Presigned links signed with SigV4: what MinIO and every AWS region accept (SigV2 is refused by newer regions).
AWS_S3_SIGNATURE_VERSION = "s3v4"
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Celery ---------------------------------------------------------------------------------------
BROKER_DATA_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DATA_DIR / "queue"),
        "data_folder_out": str(BROKER_DATA_DIR / "queue"),
        "processed_folder": str(BROKER_DATA_DIR / "processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is "control" in the current directory.
        "control_folder": str(BROKER_DATA_DIR / "control"),
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # acks_late tasks must not be redelivered while still running: the visibility timeout has to
    # outlast the longest task time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "django-cache"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# django-celery-beat's DatabaseScheduler with a change detection that does not miss the first edit.
CELERY_BEAT_SCHEDULER = "orchestration.beat_scheduler:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The DatabaseScheduler re-reads PeriodicTask rows when they change; this bounds how long beat may sleep.
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=5)
DJANGO_CELERY_BEAT_TZ_AWARE = True
# A lost broker connection means the broker redelivers the running acks_late tasks anyway; cancelling them
# here avoids running the same job twice at once (the ledger resumes the Execution on redelivery).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["orchestration.api.permissions.RequiredPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "orchestration.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "orchestration.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "orchestration.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/min")},
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Orquestra API",
    "DESCRIPTION": "Execuções, agendamentos e integrações da equipe de operações.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema lists endpoints, no data: readable without login so the docs page opens for anyone;
    # "Authorize" in Swagger UI (token) or /api/auth/login/ (session) then makes the calls.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI served from our own static files: no CDN, works offline and behind strict firewalls.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set: several models have a `status` (or a severity) with different choices.
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "orchestration.models.alerts.Severity",
        "AlertStatusEnum": "orchestration.models.alerts.AlertStatus",
        "NotificationStatusEnum": "orchestration.models.alerts.NotificationStatus",
        "ExecutionStatusEnum": "orchestration.models.executions.ExecutionStatus",
        "WhatsAppSessionStatusEnum": "whatsapp_health.models.SessionStatus",
        "ConversationStatusEnum": "whatsapp_health.models.ConversationStatus",
        "InvoiceStatusEnum": "orchestration.invoices.models.InvoiceStatus",
        # calendar_sync
        "AppointmentStatusEnum": "calendar_sync.models.AppointmentStatus",
        "CalendarSyncDirectionEnum": "calendar_sync.models.SyncDirection",
        "CalendarLogDirectionEnum": "calendar_sync.models.LogDirection",
        "CalendarLogActionEnum": "calendar_sync.models.LogAction",
        "CalendarLogStatusEnum": "calendar_sync.models.LogStatus",
        "ConflictResolutionEnum": "calendar_sync.models.ConflictResolution",
    },
}

# --- Live logs (SSE) ------------------------------------------------------------------------------
# One poll per watched execution per process, however many people watch it.
LIVE_LOG_POLL_SECONDS = env.float("LIVE_LOG_POLL_SECONDS", default=0.25)
LIVE_LOG_KEEPALIVE_SECONDS = env.float("LIVE_LOG_KEEPALIVE_SECONDS", default=15.0)
# A viewer this many lines behind drops its queue and re-reads from the database instead.
LIVE_LOG_MAX_PENDING_LINES = env.int("LIVE_LOG_MAX_PENDING_LINES", default=5000)

# --- Health ---------------------------------------------------------------------------------------
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=180)
# The heartbeat deletes its own Executions older than this, so the ledger keeps one day of them.
HEARTBEAT_KEEP_HOURS = env.int("HEARTBEAT_KEEP_HOURS", default=24)
# A RUNNING execution with no log line for this long lost its worker; the heartbeat ends it as TIMED_OUT.
# It must outlast every task's hard time limit (tests/orchestration/test_celery_app.py checks).
EXECUTION_STALE_AFTER_SECONDS = env.int("EXECUTION_STALE_AFTER_SECONDS", default=2 * 3600)
EXECUTION_QUEUED_STALE_AFTER_SECONDS = env.int("EXECUTION_QUEUED_STALE_AFTER_SECONDS", default=24 * 3600)
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)

# --- Monitoring (/metrics) ----------------------------------------------------------------------
# Prometheus sends `Authorization: Bearer <METRICS_TOKEN>`; without a token, a request is let in by its address.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Comma-separated CIDRs; unset (or empty): loopback only when METRICS_TOKEN is empty, no address when it is set.
METRICS_ALLOWED_NETWORKS: list[str] | None = [
    _network.strip() for _network in env.list("METRICS_ALLOWED_NETWORKS", default=[]) if _network.strip()
] or None
for _network in METRICS_ALLOWED_NETWORKS or []:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_network!r} is not a network (CIDR).") from _error
# Executions counted by `orquestra_executions` and the duration histograms: those of the last N hours.
METRICS_WINDOW_HOURS = env.int("METRICS_WINDOW_HOURS", default=24)

# --- Alerts and notifications --------------------------------------------------------------------
# Alerts of one group wait this long after the group's first pending one, so a burst is one message per
# person; a recovery waits as long after the resolution, so an alert that flaps sends nothing extra.
ALERT_GROUP_WINDOW_SECONDS = env.int("ALERT_GROUP_WINDOW_SECONDS", default=300)
# A failed delivery is retried after 30 s, 60 s, 120 s, ... and given up (FAILED) after this many attempts.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
# Webhook (Slack/Teams incoming webhook) connect and read timeout, seconds.
NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS = env.float("NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# E-mail: the console backend prints messages (make run); production sends through SMTP (production.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Orquestra <orquestra@localhost>")
EMAIL_SUBJECT_PREFIX = "[Orquestra] "

# --- Demo simulators ----------------------------------------------------------------------------
# When an integration has no credentials, `make run` points it at a local simulator (tests/fakes).
DEMO_SIMULATORS = env.bool("DEMO_SIMULATORS", default=False)
SIMULATOR_HOST = env.str("SIMULATOR_HOST", default="127.0.0.1")
# `manage.py load_demo` (run by `make run`) writes a small demo data set unless DEMO_DATA=0.
DEMO_DATA = env.bool("DEMO_DATA", default=True)

# --- Movidesk (integrations) -----------------------------------------------------------------------
# Ticket sync. The token may also be stored (encrypted) in the admin, which wins over the environment.
MOVIDESK_BASE_URL = env.str("MOVIDESK_BASE_URL", default="https://api.movidesk.com/public/v1")
MOVIDESK_TOKEN = env.str("MOVIDESK_TOKEN", default="")
MOVIDESK_ENABLED = env.bool("MOVIDESK_ENABLED", default=True)
# Movidesk allows 10 requests a minute per token, shared by every worker; 0 switches our limiter off (bench).
MOVIDESK_RATE_LIMIT_PER_MINUTE = env.int("MOVIDESK_RATE_LIMIT_PER_MINUTE", default=10)
# The API never returns more than 100 tickets a page.
MOVIDESK_PAGE_SIZE = max(1, min(100, env.int("MOVIDESK_PAGE_SIZE", default=100)))
# Returned dates carry no zone; filters are written in UTC ("Z"), so by default they are read as UTC too.
MOVIDESK_DATES_TZ = env.str("MOVIDESK_DATES_TZ", default="UTC")
MOVIDESK_SIMULATOR_PORT = env.int("MOVIDESK_SIMULATOR_PORT", default=8101)

# --- WhatsApp sessions (whatsapp_health) ---------------------------------------------------------------
# Checks of every active session's real status at its provider (Evolution API, WAHA), every 5 minutes.
WHATSAPP_CHECK_CONCURRENCY = max(1, env.int("WHATSAPP_CHECK_CONCURRENCY", default=20))
WHATSAPP_CHECK_TIMEOUT_SECONDS = env.float("WHATSAPP_CHECK_TIMEOUT_SECONDS", default=10.0)
WHATSAPP_FAILURES_BEFORE_DISCONNECTED = max(1, env.int("WHATSAPP_FAILURES_BEFORE_DISCONNECTED", default=3))
WHATSAPP_SESSION_RETENTION_DAYS = env.int("WHATSAPP_SESSION_RETENTION_DAYS", default=30)
WHATSAPP_CONVERSATION_INACTIVE_MINUTES = env.int("WHATSAPP_CONVERSATION_INACTIVE_MINUTES", default=60)
WHATSAPP_DISCONNECTED_ALERT_MINUTES = env.int("WHATSAPP_DISCONNECTED_ALERT_MINUTES", default=15)
EVOLUTION_SIMULATOR_PORT = env.int("EVOLUTION_SIMULATOR_PORT", default=8105)
WAHA_SIMULATOR_PORT = env.int("WAHA_SIMULATOR_PORT", default=8106)
# --- Remote jobs and the RPA invoice pipeline (orchestration.invoices) ---------------------------------
# The remote-job monitor's safety-net tick (it also reschedules itself for the next due poll).
REMOTE_JOBS_TICK_SECONDS = env.int("REMOTE_JOBS_TICK_SECONDS", default=5)
# Threads one tick polls and starts jobs on (each its own database connection); SQLite always uses one.
REMOTE_JOBS_TICK_THREADS = env.int("REMOTE_JOBS_TICK_THREADS", default=4)
RPA_API_URL = env.str("RPA_API_URL", default="")
RPA_API_TOKEN = env.str("RPA_API_TOKEN", default="")
# Jobs in flight on the RPA server at once (downloads and SAT uploads together).
RPA_MAX_CONCURRENT_JOBS = env.int("RPA_MAX_CONCURRENT_JOBS", default=4)
# Each job's status and log are read at most once per this many seconds, however many people watch it.
RPA_POLL_SECONDS = env.float("RPA_POLL_SECONDS", default=5.0)
# Attempts per process and step (download, SAT), counted on the process; a 503 (robots busy) is none.
RPA_MAX_ATTEMPTS = env.int("RPA_MAX_ATTEMPTS", default=3)
# Wait before a new attempt: this many seconds, doubled after each failed attempt.
RPA_RETRY_BACKOFF_SECONDS = env.float("RPA_RETRY_BACKOFF_SECONDS", default=60.0)
# A job not finished after this long ends TIMED_OUT (and counts as an attempt).
RPA_JOB_TIMEOUT_SECONDS = env.int("RPA_JOB_TIMEOUT_SECONDS", default=1800)
RPA_SIMULATOR_PORT = env.int("RPA_SIMULATOR_PORT", default=8102)
INVOICE_UPLOAD_MAX_BYTES = env.int("INVOICE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# How long the link of `GET /api/v1/invoice-processes/{id}/invoice/` (presigned URL or signed view) works.
INVOICE_LINK_SECONDS = env.int("INVOICE_LINK_SECONDS", default=300)
# --- Kommo (integrations) --------------------------------------------------------------------------
# Master → replicas configuration sync. `{subdomain}` is replaced by each account's subdomain; empty means
# https://{subdomain}.kommo.com, or the local simulator while DEMO_SIMULATORS is on.
KOMMO_BASE_URL = env.str("KOMMO_BASE_URL", default="")
KOMMO_CLIENT_ID = env.str("KOMMO_CLIENT_ID", default="")
KOMMO_CLIENT_SECRET = env.str("KOMMO_CLIENT_SECRET", default="")
KOMMO_REDIRECT_URI = env.str("KOMMO_REDIRECT_URI", default="")
# Salesbot / webhook shared secret (header X-Orquestra-Secret or ?secret=); empty accepts only Salesbot JWTs.
KOMMO_WEBHOOK_SECRET = env.str("KOMMO_WEBHOOK_SECRET", default="")
# Replicas synced at once, across every worker.
KOMMO_CONCURRENCY = max(1, env.int("KOMMO_CONCURRENCY", default=8))
# Kommo allows 7 requests a second per account; the bucket is shared by every worker through Redis.
KOMMO_RATE_LIMIT_PER_SECOND = env.int("KOMMO_RATE_LIMIT_PER_SECOND", default=7)
# An access token is renewed when it expires within this many seconds.
KOMMO_REFRESH_MARGIN_SECONDS = env.int("KOMMO_REFRESH_MARGIN_SECONDS", default=300)
# The scheduled full sync (crontab, local time); empty: no schedule.
KOMMO_SYNC_CRONTAB = env.str("KOMMO_SYNC_CRONTAB", default="0 6 * * *")
KOMMO_SIMULATOR_PORT = env.int("KOMMO_SIMULATOR_PORT", default=8103)
# --- Google Calendar (calendar_sync) ---------------------------------------------------------------
# OAuth client of the Google Cloud project; without it (and with DEMO_SIMULATORS) the local simulator is used.
GOOGLE_CALENDAR_CLIENT_ID = env.str("GOOGLE_CALENDAR_CLIENT_ID", default="")
GOOGLE_CALENDAR_CLIENT_SECRET = env.str("GOOGLE_CALENDAR_CLIENT_SECRET", default="")
GOOGLE_CALENDAR_REDIRECT_URI = env.str(
    "GOOGLE_CALENDAR_REDIRECT_URI", default="http://127.0.0.1:8000/api/v1/google-calendar/oauth-callback"
)
GOOGLE_OAUTH_AUTH_URL = env.str("GOOGLE_OAUTH_AUTH_URL", default="https://accounts.google.com/o/oauth2/auth")
GOOGLE_OAUTH_TOKEN_URL = env.str("GOOGLE_OAUTH_TOKEN_URL", default="https://oauth2.googleapis.com/token")
GOOGLE_OAUTH_REVOKE_URL = env.str("GOOGLE_OAUTH_REVOKE_URL", default="https://oauth2.googleapis.com/revoke")
# The API root: events at <root>calendar/v3/, batches at <root>batch/calendar/v3.
GOOGLE_CALENDAR_API_URL = env.str("GOOGLE_CALENDAR_API_URL", default="https://www.googleapis.com/")
# Requests a minute per connected user, shared by every worker (each call inside a batch counts); 0: no limiter.
GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE = env.int("GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE", default=500)
GOOGLE_CALENDAR_TIMEOUT_SECONDS = env.float("GOOGLE_CALENDAR_TIMEOUT_SECONDS", default=30.0)
# Calls per batch request (Google's limit is 1000).
GOOGLE_CALENDAR_BATCH_SIZE = max(1, min(1000, env.int("GOOGLE_CALENDAR_BATCH_SIZE", default=1000)))
# Public HTTPS address of the push endpoint (…/api/v1/google-calendar/notifications); empty: no watch channels.
GOOGLE_CALENDAR_WEBHOOK_URL = env.str("GOOGLE_CALENDAR_WEBHOOK_URL", default="")
GOOGLE_CALENDAR_SIMULATOR_PORT = env.int("GOOGLE_CALENDAR_SIMULATOR_PORT", default=8104)

# One line per record on the console: "text" here, "json" (one object a line) by default in production.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# --- Invoice pipeline: accounts import, reports, ledger retention, backups (issue 9, part B) -------------
ACCOUNTS_IMPORT_MAX_BYTES = env.int("ACCOUNTS_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Executions (and their log lines) older than this are deleted by the daily purge; 0 keeps everything.
EXECUTION_RETENTION_DAYS = env.int("EXECUTION_RETENTION_DAYS", default=90)
# Database backups in storage (backups/) older than this are deleted after each backup; 0 keeps all.
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=30)
