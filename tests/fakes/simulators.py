"""Fakes that `make run` starts as demo simulators when an integration has no credentials.

Each integration adds one `Simulator` here; `python -m tests.fakes.serve` starts them all.
The product finds a simulator through settings (`<NAME>_SIMULATOR_PORT`), never by importing tests.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.kommo import demo_handler as kommo_demo_handler
from tests.fakes.movidesk import demo_handler
from tests.fakes.server import Handler


@dataclass(frozen=True)
class Simulator:
    name: str
    port_setting: str  # the environment variable / Django setting holding its port
    default_port: int
    make_handler: Callable[[], Handler]  # builds the fake with demo data and demo faults on


SIMULATORS: list[Simulator] = []


# Movidesk: a few hundred recent tickets, some edited or created every 30 s, an occasional 503/429.
SIMULATORS.append(
    Simulator(name="movidesk", port_setting="MOVIDESK_SIMULATOR_PORT", default_port=8101, make_handler=demo_handler)
)

# Kommo: a master and four replicas under http://127.0.0.1:8103/{subdomain}; the master's admin renames a
# stage every few minutes, so the scheduled demo sync has something to propagate.
SIMULATORS.append(
    Simulator(name="kommo", port_setting="KOMMO_SIMULATOR_PORT", default_port=8103, make_handler=kommo_demo_handler)
)
