"""Where an integration without credentials finds its local demo simulator (`make run`)."""

import os

from django.conf import settings


def simulator_port(port_setting: str, default_port: int) -> int:
    return int(os.environ.get(port_setting) or getattr(settings, port_setting, default_port))


def simulator_url(port_setting: str, default_port: int, path: str = "") -> str | None:
    """The simulator's base URL when DEMO_SIMULATORS is on, else None (the integration is then unconfigured)."""
    if not settings.DEMO_SIMULATORS:
        return None
    return f"http://{settings.SIMULATOR_HOST}:{simulator_port(port_setting, default_port)}{path}"
