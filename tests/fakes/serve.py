"""`python -m tests.fakes.serve`: every registered demo simulator on 127.0.0.1, until SIGINT/SIGTERM.

`make run` starts this as one more Procfile process. It imports only the standard library and the
fakes themselves, because `make run` installs requirements/base.txt, not the dev requirements.
Each simulator listens on the port named by its `port_setting` environment variable, else its default.
The URLs are also written to `$ORQUESTRA_VAR_DIR/simulators.json` so `manage.py print_urls` can list
them without importing tests.
"""

import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from tests.fakes.server import FakeServer
from tests.fakes.simulators import SIMULATORS, Simulator

STATE_FILE_NAME = "simulators.json"


def var_dir() -> Path:
    default = Path(__file__).resolve().parent.parent.parent / "var"
    return Path(os.environ.get("ORQUESTRA_VAR_DIR") or default)


def simulator_port(simulator: Simulator) -> int:
    return int(os.environ.get(simulator.port_setting) or simulator.default_port)


def start_all(simulators: list[Simulator], host: str = "127.0.0.1") -> dict[str, FakeServer]:
    """Starts every simulator; on a port already taken, stops the ones started and re-raises."""
    servers: dict[str, FakeServer] = {}
    try:
        for simulator in simulators:
            port = simulator_port(simulator)
            try:
                server = FakeServer(simulator.make_handler(), port=port, host=host)
            except OSError as error:
                raise OSError(
                    f"simulator {simulator.name!r} cannot listen on {host}:{port} ({error}); "
                    f"set {simulator.port_setting} to a free port"
                ) from error
            servers[simulator.name] = server.start()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def write_state(servers: dict[str, FakeServer]) -> Path:
    path = var_dir() / STATE_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({name: server.url for name, server in servers.items()}, indent=2))
    tmp.replace(path)  # atomic, so a reader never sees half a file
    return path


def main() -> int:
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)

    try:
        servers = start_all(SIMULATORS)
    except OSError as error:
        print(f"simulators: {error}", file=sys.stderr, flush=True)
        return 1
    state = write_state(servers)
    if not servers:
        # Stay up anyway: honcho stops every process as soon as one of them exits.
        print("simulators: none registered (tests/fakes/simulators.py); idling until stopped", flush=True)
    for name, server in servers.items():
        print(f"simulator {name}: {server.url}", flush=True)

    while not stop.wait(3600):
        pass

    for server in servers.values():
        server.stop()
    state.unlink(missing_ok=True)
    print("simulators: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
