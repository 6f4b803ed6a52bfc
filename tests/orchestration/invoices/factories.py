"""Test data of the invoice pipeline.

`carrier_accounts_setup` is the one way the tests create carrier accounts (the CSV import will take its
place: keep every test going through it)."""

from collections.abc import Iterable
from dataclasses import dataclass

from orchestration.invoices.models import Carrier, CarrierAccount

# Valid CNPJs (check digits right), one per test account.
CNPJS = [
    "11222333000181",
    "11444777000161",
    "45997418000153",
    "60701190000104",
    "33000167000101",
    "02558157000162",
    "00000000000191",
    "61198164000160",
    "07526557000100",
    "19131243000197",
]


@dataclass(frozen=True)
class AccountSpec:
    carrier: str
    legal_name: str
    cnpj: str
    unit: str = "Matriz"
    service: str = "Telefonia fixa"


def carrier_accounts_setup(specs: Iterable[AccountSpec]) -> list[CarrierAccount]:
    accounts = []
    for spec in specs:
        # The carriers come from a data migration, which a transactional test's flush empties.
        carrier, _ = Carrier.objects.get_or_create(code=spec.carrier, defaults={"name": spec.carrier.title()})
        account = CarrierAccount(
            legal_name=spec.legal_name,
            sat_name=spec.legal_name.upper(),
            cnpj=spec.cnpj,
            carrier=carrier,
            filter=f"filtro-{spec.cnpj[:4]}",
            service=spec.service,
            sat_data=f"SAT;{spec.cnpj}",
            unit=spec.unit,
            portal_login=f"login-{spec.cnpj[:6]}",
            portal_password="senha-secreta-portal",
        )
        account.full_clean()
        account.save()
        accounts.append(account)
    return accounts


def default_specs(count: int = 3) -> list[AccountSpec]:
    carriers = ["VIVO", "OI", "EMBRATEL", "DIGITALNET"]
    return [
        AccountSpec(carrier=carriers[index % len(carriers)], legal_name=f"Cliente {index + 1} Ltda", cnpj=CNPJS[index])
        for index in range(count)
    ]
