"""What /healthz reports: can we reach the database, the broker and Redis, and is beat+worker alive?

Every check answers `{"ok": bool, ...}` and never raises; errors are reported by exception class only,
so no URL, host or password leaks to whoever can reach the endpoint.
"""

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from orchestration.models import Execution, ExecutionStatus
from orchestration.services.heartbeat import HEARTBEAT_KIND

CHECK_TIMEOUT_SECONDS = 2
_IMPORTED_AT = timezone.now()


def process_started_at() -> datetime:
    """When this process started (from /proc on Linux), or when this module was first imported.

    The URLconf, and so this module, is loaded at the first request, not at start-up; /proc tells the
    real start so that "no heartbeat yet" is counted from the moment the process came up."""
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        with open("/proc/stat") as stat:
            boot = next(int(line.split()[1]) for line in stat if line.startswith("btime"))
        started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED_AT
    return min(_IMPORTED_AT, datetime.fromtimestamp(started, tz=UTC))


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _failure(error: BaseException, started: float) -> dict[str, Any]:
    return {"ok": False, "error": type(error).__name__, "latency_ms": _elapsed_ms(started)}


def check_database() -> dict[str, Any]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "unreachable" to a monitor
        return _failure(error, started)
    return {"ok": True, "latency_ms": _elapsed_ms(started)}


def _filesystem_broker_folders() -> list[str]:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    return [options[key] for key in ("data_folder_in", "data_folder_out") if options.get(key)]


def check_broker() -> dict[str, Any]:
    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0] or "unknown"
    started = time.monotonic()
    try:
        if transport == "filesystem":
            # The file-system transport "connects" to anything; what matters is that the queue folder
            # exists and is writable by this process.
            for folder in _filesystem_broker_folders():
                if not (Path(folder).is_dir() and os.access(folder, os.W_OK)):
                    raise NotADirectoryError(folder)
        else:
            options = {"socket_connect_timeout": CHECK_TIMEOUT_SECONDS, "socket_timeout": CHECK_TIMEOUT_SECONDS}
            with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS, transport_options=options) as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as error:
        return {**_failure(error, started), "transport": transport}
    return {"ok": True, "transport": transport, "latency_ms": _elapsed_ms(started)}


def check_redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    started = time.monotonic()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return {**_failure(error, started), "configured": True}
    return {"ok": True, "configured": True, "latency_ms": _elapsed_ms(started)}


def last_heartbeat_at() -> datetime | None:
    last = (
        Execution.objects.filter(kind=HEARTBEAT_KIND, status=ExecutionStatus.SUCCEEDED)
        .order_by("-created_at")
        .values_list("finished_at", "created_at")
        .first()
    )
    return (last[0] or last[1]) if last else None


def check_heartbeat() -> dict[str, Any]:
    max_age = settings.HEARTBEAT_MAX_AGE_SECONDS
    try:
        last_at = last_heartbeat_at()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__, "max_age_seconds": max_age}
    since = last_at or process_started_at()
    age = max(timedelta(0), timezone.now() - since).total_seconds()
    return {
        "ok": age <= max_age,
        "age_seconds": round(age, 1),
        "max_age_seconds": max_age,
        "last_at": last_at.isoformat() if last_at else None,
        "counted_from": "heartbeat" if last_at else "startup",
    }


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, dict[str, Any]]

    @property
    def ok(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "fail", "checks": self.checks}


def health_report() -> HealthReport:
    return HealthReport(
        checks={
            "database": check_database(),
            "broker": check_broker(),
            "redis": check_redis(),
            "heartbeat": check_heartbeat(),
        }
    )
