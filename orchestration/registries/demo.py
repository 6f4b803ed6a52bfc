"""Demo history: what each app adds to `manage.py load_demo` (the data set of `make run`).

An app registers a writer in `<app>/demo.py`; the writer starts REAL runs of its own jobs (queued for the
worker, against the local simulators), never fabricated executions, and is idempotent: it starts nothing
when its history is already there. It returns one line for the command's output, or "" when it did nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from orchestration.models import User


@dataclass(frozen=True)
class DemoContext:
    users: dict[str, User]  # role → the demo user with that role


DemoWriter = Callable[[DemoContext], str]

_WRITERS: dict[str, DemoWriter] = {}


def register_demo_history(name: str, writer: DemoWriter) -> DemoWriter:
    _WRITERS[name] = writer
    return writer


def demo_writers() -> dict[str, DemoWriter]:
    autodiscover_modules("demo")
    return dict(_WRITERS)
