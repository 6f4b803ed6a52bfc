"""The Kommo fake on one real HTTP server for the whole session; each test gets a fresh fake (its own
accounts) behind it, and settings pointing the product at it."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from integrations.kommo.models import AccountRole, KommoAccount
from tests.fakes.kommo import CLIENT_ID, CLIENT_SECRET, KommoFake
from tests.fakes.kommo_accounts import FakeAccount
from tests.fakes.server import FakeServer


@pytest.fixture(scope="session")
def kommo_server() -> Iterator[FakeServer]:
    with FakeServer(KommoFake().handle) as server:
        yield server


@pytest.fixture
def kommo(kommo_server: FakeServer, settings: Any) -> KommoFake:
    fake = KommoFake()
    kommo_server.handle = fake.handle
    settings.KOMMO_BASE_URL = f"{kommo_server.url}/{{subdomain}}"
    settings.KOMMO_CLIENT_ID = CLIENT_ID
    settings.KOMMO_CLIENT_SECRET = CLIENT_SECRET
    settings.KOMMO_REDIRECT_URI = "https://orquestra.example/kommo/callback"
    settings.KOMMO_RATE_LIMIT_PER_SECOND = 7
    settings.KOMMO_CONCURRENCY = 8
    settings.DEMO_SIMULATORS = False
    fake.server_url = kommo_server.url  # type: ignore[attr-defined]
    return fake


def oauth_account(
    fake: KommoFake, subdomain: str, role: str = AccountRole.REPLICA, *, expired: bool = False
) -> tuple[KommoAccount, FakeAccount]:
    """An account on both sides with a fresh OAuth pair (its access token already expired if asked)."""
    remote = fake.account(subdomain)
    pair = fake.issue_tokens(remote, lifetime=0 if expired else None)
    account = KommoAccount.objects.create(
        subdomain=subdomain,
        name=subdomain.title(),
        role=role,
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        expires_at=timezone.now() + timedelta(seconds=-10 if expired else pair["expires_in"]),
    )
    return account, remote


def master_configuration(remote: FakeAccount, pipelines: int = 2, stages: int = 3, fields: int = 4) -> None:
    for number in range(pipelines):
        names = [f"Etapa {number + 1}.{stage + 1}" for stage in range(stages)]
        remote.add_pipeline(f"Funil {number + 1}", names, sort=10 * (number + 1), is_main=number == 0)
    for number in range(fields):
        entity = ("leads", "contacts", "companies")[number % 3]
        if number % 2:
            remote.add_field(entity, f"Campo {number + 1}", "select", ["A", "B", "C"], sort=number)
        else:
            remote.add_field(entity, f"Campo {number + 1}", "text", sort=number)
