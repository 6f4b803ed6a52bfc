"""The reads the live-log stream makes, run on the loop's thread pool (never one thread per viewer)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus

P = ParamSpec("P")
R = TypeVar("R")

# How many lines one read returns; a longer backlog is read in several batches.
BATCH_SIZE = 500


@dataclass(frozen=True)
class LogLine:
    id: int
    level: str
    message: str
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "message": self.message, "created_at": self.created_at}


@dataclass(frozen=True)
class ExecutionState:
    status: str
    status_display: str
    counters: dict[str, Any]
    error: str
    error_type: str
    finished_at: str | None

    @property
    def is_finished(self) -> bool:
        return self.status in ExecutionStatus.terminal()

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_display": self.status_display,
            "counters": self.counters,
            "error": self.error,
            "error_type": self.error_type,
            "finished_at": self.finished_at,
        }


def _iso(value: datetime) -> str:
    # The same rendering the REST API uses: local time with its offset.
    return timezone.localtime(value).isoformat()


def _as_request(function: Callable[P, R]) -> Callable[P, R]:
    """Pool threads outlive requests, so each read cleans up its connection the way a request would."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return wrapper


@_as_request
def _lines_after(execution_id: int, after_id: int, limit: int) -> list[LogLine]:
    rows = (
        ExecutionLogLine.objects.filter(execution_id=execution_id, id__gt=after_id)
        .order_by("id")
        .values_list("id", "level", "message", "created_at")[:limit]
    )
    return [LogLine(pk, level, message, _iso(created_at)) for pk, level, message, created_at in rows]


@_as_request
def _last_line_id(execution_id: int) -> int:
    last = ExecutionLogLine.objects.filter(execution_id=execution_id).order_by("-id").values_list("id", flat=True)
    return last.first() or 0


@_as_request
def _state(execution_id: int) -> ExecutionState | None:
    execution = (
        Execution.objects.filter(pk=execution_id)
        .only("status", "counters", "error", "error_type", "finished_at")
        .first()
    )
    if execution is None:
        return None
    return ExecutionState(
        status=execution.status,
        status_display=str(execution.get_status_display()),
        counters=execution.counters,
        error=execution.error,
        error_type=execution.error_type,
        finished_at=_iso(execution.finished_at) if execution.finished_at else None,
    )


async def lines_after(execution_id: int, after_id: int, limit: int = BATCH_SIZE) -> list[LogLine]:
    return await sync_to_async(_lines_after, thread_sensitive=False)(execution_id, after_id, limit)


async def last_line_id(execution_id: int) -> int:
    return await sync_to_async(_last_line_id, thread_sensitive=False)(execution_id)


async def execution_state(execution_id: int) -> ExecutionState | None:
    return await sync_to_async(_state, thread_sensitive=False)(execution_id)
