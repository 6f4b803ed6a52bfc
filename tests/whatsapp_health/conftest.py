"""Fixtures of the whatsapp_health tests: the Evolution and WAHA fakes on real HTTP servers (one of each for
the whole session; every test gets fresh fake state behind them) and a session factory."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fakes.evolution import EvolutionFake
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer
from tests.fakes.waha import WahaFake
from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession
from whatsapp_health.services import session_save


class SwappableServer:
    """A FakeServer whose handler a test replaces (starting servers per test would cost seconds)."""

    def __init__(self) -> None:
        self.handler: Callable[[FakeRequest], FakeResponse] = lambda request: FakeResponse(503)
        self.server = FakeServer(lambda request: self.handler(request)).start()

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session")
def evolution_server() -> Iterator[SwappableServer]:
    server = SwappableServer()
    yield server
    server.server.stop()


@pytest.fixture(scope="session")
def waha_server() -> Iterator[SwappableServer]:
    server = SwappableServer()
    yield server
    server.server.stop()


@pytest.fixture
def evolution(evolution_server: SwappableServer, settings: Any) -> EvolutionFake:
    fake = EvolutionFake()
    fake.url = evolution_server.url  # type: ignore[attr-defined]
    evolution_server.handler = fake.handle
    settings.WHATSAPP_CHECK_TIMEOUT_SECONDS = 0.5
    settings.DEMO_SIMULATORS = False
    return fake


@pytest.fixture
def waha(waha_server: SwappableServer, settings: Any) -> WahaFake:
    fake = WahaFake()
    fake.url = waha_server.url  # type: ignore[attr-defined]
    waha_server.handler = fake.handle
    settings.WHATSAPP_CHECK_TIMEOUT_SECONDS = 0.5
    settings.DEMO_SIMULATORS = False
    return fake


@pytest.fixture
def make_session(db: None, evolution: EvolutionFake, waha: WahaFake) -> Callable[..., WhatsAppSession]:
    """make_session("loja", state="open") adds the instance to the Evolution fake and registers it with
    `status` stored; provider="WAHA" does the same on the WAHA fake (state is then a WAHA status)."""

    def make(
        instance: str,
        *,
        provider: str = Provider.EVOLUTION,
        state: str | None = None,
        status: str = SessionStatus.CONNECTED,
        hmac_key: str = "",
        delay: float = 0.0,
        **fields: Any,
    ) -> WhatsAppSession:
        if provider == Provider.WAHA:
            fake_session = waha.add(instance, status=state or "WORKING", hmac_key=hmac_key, delay=delay)
            base_url, api_key = waha.url, waha.api_key  # type: ignore[attr-defined]
            fields.setdefault("webhook_secret", hmac_key)
        else:
            fake_session = evolution.add(instance, state=state or "open", delay=delay)
            base_url, api_key = evolution.url, fake_session.token  # type: ignore[attr-defined]
        session = session_save(
            WhatsAppSession(status=status),
            name=fields.pop("name", instance.title()),
            provider=provider,
            base_url=base_url,
            api_key=fields.pop("api_key", api_key),
            instance=instance,
            **fields,
        )
        return session

    return make
