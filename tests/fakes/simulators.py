"""Fakes that `make run` starts as demo simulators when an integration has no credentials.

Each integration adds one `Simulator` here; `python -m tests.fakes.serve` starts them all.
The product finds a simulator through settings (`<NAME>_SIMULATOR_PORT`), never by importing tests.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.google_calendar import demo_handler as google_calendar_demo_handler
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

# Google Calendar (and its OAuth endpoints): any client and code accepted; one of our events moved every minute.
SIMULATORS.append(
    Simulator(
        name="google-calendar",
        port_setting="GOOGLE_CALENDAR_SIMULATOR_PORT",
        default_port=8104,
        make_handler=google_calendar_demo_handler,
    )
)
