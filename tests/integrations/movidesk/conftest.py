"""Fixtures for the integrations tests: the Movidesk fake on a real HTTP server, reached through settings."""

from collections.abc import Iterator

import pytest

from tests.fakes.movidesk import DEFAULT_TOKEN, MovideskFake
from tests.fakes.server import FakeServer


@pytest.fixture
def movidesk_fake() -> MovideskFake:
    return MovideskFake()


@pytest.fixture
def movidesk_server(movidesk_fake: MovideskFake, settings) -> Iterator[FakeServer]:  # type: ignore[no-untyped-def]
    """The fake, started; settings point the product at it, with our rate limiter off unless a test turns it on."""
    with FakeServer(movidesk_fake.handle) as server:
        settings.MOVIDESK_BASE_URL = f"{server.url}/public/v1"
        settings.MOVIDESK_TOKEN = DEFAULT_TOKEN
        settings.MOVIDESK_RATE_LIMIT_PER_MINUTE = 0
        settings.MOVIDESK_DATES_TZ = "UTC"
        settings.DEMO_SIMULATORS = False
        yield server
