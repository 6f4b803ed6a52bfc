"""The client meets Kommo's wire quirks: HAL paging through `_links.next` with limit 250, 204 with no body
as an empty list, problem+json naming refused items by request_id (the rest sent again once)."""

from typing import Any

import pytest

from integrations.kommo.client import KommoClient
from tests.fakes.kommo import KommoFake
from tests.fakes.kommo_accounts import Fault

pytestmark = pytest.mark.services


class StaticToken:
    def __init__(self, token: str) -> None:
        self.value = token

    def token(self) -> str:
        return self.value

    def renew(self, rejected: str) -> str:
        raise AssertionError("not expected")


def client_for(fake: KommoFake, subdomain: str, settings: Any) -> KommoClient:
    fake.account(subdomain).long_lived_tokens.add("t")
    base = settings.KOMMO_BASE_URL.replace("{subdomain}", subdomain)
    return KommoClient(base_url=base, subdomain=subdomain, tokens=StaticToken("t"), rate_per_second=0)


def test_paging_empty_lists_and_per_item_validation_errors(kommo: KommoFake, settings: Any) -> None:
    remote = kommo.account("paginas")
    for number in range(300):
        remote.add_field("leads", f"Campo {number}", sort=number)
    client = client_for(kommo, "paginas", settings)

    fields = client.custom_fields("leads")
    assert len(fields) == 300 and len({f.id for f in fields}) == 300
    assert remote.requests["GET"] == 2  # 250 + 50, following _links.next
    assert client.custom_fields("contacts") == []  # 204, no body
    assert client.pipelines() == []

    refused = {
        "title": "Bad Request",
        "status": 400,
        "validation-errors": [{"request_id": "b", "errors": [{"code": "NotBlank", "path": "1.name", "detail": "x"}]}],
    }
    remote.faults.append(Fault(400, refused, "POST", "/companies/custom_fields"))
    outcome = client.fields_create(
        "companies",
        [{"name": "A", "type": "text", "request_id": "a"}, {"name": "B", "type": "text", "request_id": "b"}],
    )
    assert sorted(outcome.results) == ["a"] and outcome.failures == {"b": "1.name: x"}
    assert [f["name"] for f in remote.fields["companies"].values()] == ["A"]
    assert remote.requests["POST"] == 2
