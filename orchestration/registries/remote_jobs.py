"""Remote-job handlers: how the shared monitor (orchestration.services.remote_jobs) speaks to one kind of
remote job. A handler is registered by name in its package's `remote_jobs.py` (found by
`autodiscover_modules("remote_jobs")`); the monitor owns the when (slots, polls, cursors, deadlines) and the
handler the what (the HTTP calls and what a finished job means for its subject).

Every callback that writes runs inside the transaction that ends the job, so an ending is all or nothing: a
worker killed halfway leaves the job RUNNING and the next poll ends it again (the remote side's terminal
states never change)."""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from orchestration.models import RemoteJob


class RemoteBusy(Exception):  # noqa: N818 - a signal, not an error
    """The remote side has no free worker now (503 + Retry-After): back-pressure, not a failed attempt."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"busy, retry after {retry_after:.1f} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class RemoteLine:
    level: str  # an orchestration LogLevel
    message: str


@dataclass(frozen=True)
class RemoteState:
    status: str  # the remote side's own word ("queued", "running", "completed", "failed")
    finished: bool
    succeeded: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class RemoteLogPage:
    lines: list[RemoteLine]
    next_cursor: int


class RemoteJobHandler(ABC):
    """One kind of remote job. `pool` names the slots it shares with other handlers (one remote server)."""

    name: str = ""
    pool: str = ""

    @abstractmethod
    def pool_size(self) -> int: ...

    @abstractmethod
    def poll_seconds(self) -> float: ...

    @abstractmethod
    def timeout_seconds(self) -> float: ...

    @abstractmethod
    def connect(self) -> AbstractContextManager[Any]:
        """The client the other calls receive; opened once per monitor tick."""

    @abstractmethod
    def start(self, client: Any, job: "RemoteJob") -> str:
        """Starts the job remotely; returns its remote id. RemoteBusy for back-pressure; any other
        exception is a failed start (`on_start_failed`)."""

    @abstractmethod
    def status(self, client: Any, job: "RemoteJob") -> RemoteState: ...

    @abstractmethod
    def logs(self, client: Any, job: "RemoteJob", cursor: int) -> RemoteLogPage: ...

    def on_claimed(self, job: "RemoteJob") -> None:
        """In the transaction that gave the job its slot (the durable intent to start it)."""
        return None

    def on_busy(self, job: "RemoteJob") -> None:
        """In the transaction that gave the slot back after a RemoteBusy."""
        return None

    def collect(self, client: Any, job: "RemoteJob", state: RemoteState) -> Any:
        """Outside any transaction, before `on_finished`: fetch what the finished job produced."""
        return None

    @abstractmethod
    def on_finished(self, job: "RemoteJob", state: RemoteState, collected: Any) -> None: ...

    @abstractmethod
    def on_start_failed(self, job: "RemoteJob", error: BaseException) -> None: ...

    @abstractmethod
    def on_timed_out(self, job: "RemoteJob") -> None: ...


_HANDLERS: dict[str, RemoteJobHandler] = {}
_discovered = False


def register_remote_job_handler(handler: RemoteJobHandler) -> RemoteJobHandler:
    if not handler.name or not handler.pool:
        raise ValueError("a remote-job handler needs a name and a pool")
    _HANDLERS[handler.name] = handler
    return handler


def _registered() -> dict[str, RemoteJobHandler]:
    global _discovered
    if not _discovered:
        autodiscover_modules("remote_jobs")
        _discovered = True
    return _HANDLERS


def remote_job_handler(name: str) -> RemoteJobHandler:
    try:
        return _registered()[name]
    except KeyError:
        raise LookupError(f"no remote-job handler {name!r} is registered") from None


def remote_job_handlers() -> Iterator[RemoteJobHandler]:
    yield from _registered().values()
