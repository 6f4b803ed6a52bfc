"""Fakes that `make run` starts as demo simulators when an integration has no credentials.

Each integration adds one `Simulator` here; `python -m tests.fakes.serve` starts them all.
The product finds a simulator through settings (`<NAME>_SIMULATOR_PORT`), never by importing tests.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.evolution import demo_handler as evolution_demo
from tests.fakes.google_calendar import demo_handler as google_calendar_demo_handler
from tests.fakes.kommo import demo_handler as kommo_demo_handler
from tests.fakes.movidesk import demo_handler
from tests.fakes.rpa import demo_handler as rpa_demo_handler
from tests.fakes.server import Handler
from tests.fakes.waha import demo_handler as waha_demo


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

# RPA server: three robots writing Portuguese log lines for about eight seconds a job; one download in six fails.
SIMULATORS.append(
    Simulator(name="rpa", port_setting="RPA_SIMULATOR_PORT", default_port=8102, make_handler=rpa_demo_handler)
)

# WhatsApp providers: a few sessions each, one of them changing state every 90 s (drops and returns).
SIMULATORS.append(
    Simulator(name="evolution", port_setting="EVOLUTION_SIMULATOR_PORT", default_port=8105, make_handler=evolution_demo)
)
SIMULATORS.append(Simulator(name="waha", port_setting="WAHA_SIMULATOR_PORT", default_port=8106, make_handler=waha_demo))

# Kommo: a master and four replicas under http://127.0.0.1:8103/{subdomain}; the master's admin renames a
# stage every few minutes, so the scheduled demo sync has something to propagate.
SIMULATORS.append(
    Simulator(name="kommo", port_setting="KOMMO_SIMULATOR_PORT", default_port=8103, make_handler=kommo_demo_handler)
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
