"""Ctrl-C and SIGTERM for commands that run a job in the foreground (`sync_movidesk --from/--since`).

Inside `interruptible()`, either signal raises `Interrupted` in the main thread; the runner ends the job's
Execution as CANCELLED with a line saying which signal, releases its lock, and lets the exception reach the
command, which prints one line instead of a traceback. `Interrupted` is a BaseException, like
KeyboardInterrupt, so a job's `except Exception` cannot swallow it.
"""

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from django.utils.translation import gettext as _

SIGNAL_NAMES = {signal.SIGINT: "SIGINT (Ctrl-C)", signal.SIGTERM: "SIGTERM"}
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal number, as shells report it


class Interrupted(BaseException):  # a BaseException, named like KeyboardInterrupt, which it stands beside
    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = SIGNAL_NAMES.get(signum, f"sinal {signum}")
        self.exit_code = EXIT_CODES.get(signum, 1)
        self.execution_id: int | None = None  # set by the runner once it has ended the run
        super().__init__(self.signal_name)

    def message(self) -> str:
        if self.execution_id is None:
            return _("Interrompido por %(signal)s.") % {"signal": self.signal_name}
        return _("Interrompido por %(signal)s: a execução #%(id)d foi encerrada como cancelada e a trava liberada.") % {
            "signal": self.signal_name,
            "id": self.execution_id,
        }


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    previous = {signum: signal.signal(signum, _raise) for signum in SIGNAL_NAMES}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
