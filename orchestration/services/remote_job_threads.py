"""How one monitor tick spreads its polls and starts over threads (see services/remote_jobs.py): each thread
has its own database connection and its own clients, so one job's network and database waits do not hold
the others."""

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from orchestration.models import RemoteJob
from orchestration.registries.remote_jobs import RemoteJobHandler

logger = logging.getLogger(__name__)


class TickClients:
    """One client per handler, opened on first use, for one thread of a tick."""

    def __init__(self, handlers: dict[str, RemoteJobHandler]) -> None:
        self.handlers = handlers
        self.contexts: dict[str, Any] = {}
        self.clients: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.clients:
            self.contexts[name] = self.handlers[name].connect()
            self.clients[name] = self.contexts[name].__enter__()
        return self.clients[name]

    def close(self) -> None:
        for context in self.contexts.values():
            context.__exit__(None, None, None)


def remote_jobs_each(
    jobs: list[RemoteJob],
    work: Callable[[RemoteJob, TickClients], object],
    handlers: dict[str, RemoteJobHandler],
    threads: int,
) -> None:
    """Runs `work` for every job: in this thread, or spread over `threads` threads (each with its own
    database connection and clients) so that one job's network and database waits do not hold the rest."""
    if threads <= 1 or len(jobs) <= 1:
        clients = TickClients(handlers)
        try:
            for job in jobs:
                work(job, clients)
        finally:
            clients.close()
        return
    pending: queue.SimpleQueue[RemoteJob] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)

    def drain() -> None:
        clients = TickClients(handlers)
        try:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    work(job, clients)
                except Exception:
                    logger.exception("remote job %s: tick step failed", job.pk)
        finally:
            clients.close()
            connection.close()

    workers = [threading.Thread(target=drain, daemon=True) for _ in range(min(threads, len(jobs)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
