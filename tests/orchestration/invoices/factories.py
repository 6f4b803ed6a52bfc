"""Test data of the invoice pipeline: valid CNPJs/CPFs, accounts, and CSV files as spreadsheets save them.

`carrier_accounts_setup` is the way the pipeline tests create carrier accounts: through the CSV import."""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orchestration.invoices.imports import carrier_accounts_import
from orchestration.invoices.models import Carrier, CarrierAccount

HEADER = (
    "razao_social",
    "nome_sat",
    "cnpj",
    "operadora",
    "filtro",
    "servico",
    "dados_sat",
    "unidade",
    "login_portal",
    "senha_portal",
    "cpf",
)


def _digit(digits: str, weights: Sequence[int]) -> str:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def cnpj(n: int) -> str:
    """The n-th valid CNPJ (14 digits)."""
    base = f"{n:08d}0001"
    first = _digit(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    return base + first + _digit(base + first, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])


def cpf(n: int) -> str:
    base = f"{n + 100000000:09d}"
    first = _digit(base, range(10, 1, -1))
    return base + first + _digit(base + first, range(11, 1, -1))


def formatted_cnpj(digits: str) -> str:
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"


def row(n: int, carrier: str = "VIVO", **overrides: str) -> dict[str, str]:
    values = {
        "razao_social": f"Empresa {n} Telecomunicações Ltda",
        "nome_sat": f"EMPRESA {n}",
        "cnpj": formatted_cnpj(cnpj(n)),
        "operadora": carrier,
        "filtro": f"filtro-{n}",
        "servico": "Fixo",
        "dados_sat": f"SAT {n}",
        "unidade": f"Unidade {n % 7}",
        "login_portal": f"login{n}",
        "senha_portal": f"senha-{n}",
        "cpf": "",
    }
    values.update(overrides)
    return values


def csv_bytes(
    rows: Iterable[dict[str, str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    header: Sequence[str] = HEADER,
    bom: bool = False,
) -> bytes:
    lines = [delimiter.join(header)]
    for values in rows:
        cells = [values.get(name.lower(), "") for name in header]
        lines.append(delimiter.join(_quote(cell, delimiter) for cell in cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def _quote(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


_numbers = itertools.count(900000)
SOURCE_CARRIERS = {"OI": "Oi", "VIVO": "Vivo", "EMBRATEL": "Embratel", "DIGITALNET": "DigitalNet"}


def ensure_carriers() -> dict[str, Carrier]:
    """The source's four carriers. Migration 0008 creates them, but a transactional test's flush empties every
    table, so tests that run after one (or are one) make sure they are there."""
    return {
        code: Carrier.objects.get_or_create(code=code, defaults={"name": name, "has_rpa": True})[0]
        for code, name in SOURCE_CARRIERS.items()
    }


def account(carrier_code: str = "VIVO", **fields: object) -> CarrierAccount:
    n = next(_numbers)
    values: dict[str, object] = {
        "legal_name": f"Conta {n} Ltda",
        "cnpj": cnpj(n),
        "carrier": ensure_carriers()[carrier_code],
        "unit": "Matriz",
        "service": "Fixo",
        "portal_login": f"login{n}",
        "portal_password": f"senha-{n}",
    }
    values.update(fields)
    return CarrierAccount.objects.create(**values)


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


def carrier_accounts_csv(specs: Iterable[AccountSpec]) -> bytes:
    """The accounts as the spreadsheet the team imports: `;`-separated, Windows-1252."""
    rows = [
        {
            "razao_social": spec.legal_name,
            "nome_sat": spec.legal_name.upper(),
            "cnpj": formatted_cnpj(spec.cnpj),
            "operadora": spec.carrier,
            "filtro": f"filtro-{spec.cnpj[:4]}",
            "servico": spec.service,
            "dados_sat": f"SAT {spec.cnpj}",
            "unidade": spec.unit,
            "login_portal": f"login-{spec.cnpj[:6]}",
            "senha_portal": "senha-secreta-portal",
            "cpf": "",
        }
        for spec in specs
    ]
    return csv_bytes(rows, encoding="cp1252")


def carrier_accounts_setup(specs: Iterable[AccountSpec]) -> list[CarrierAccount]:
    """Creates the accounts through the CSV import, as the team does."""
    specs = list(specs)
    ensure_carriers()  # the carriers come from a data migration, which a transactional test's flush empties
    report = carrier_accounts_import(source=carrier_accounts_csv(specs))
    assert not report.refused and report.created == len(specs), report.summary()
    return [CarrierAccount.objects.get(cnpj=spec.cnpj, carrier__code=spec.carrier) for spec in specs]


def default_specs(count: int = 3) -> list[AccountSpec]:
    carriers = ["VIVO", "OI", "EMBRATEL", "DIGITALNET"]
    return [
        AccountSpec(carrier=carriers[index % len(carriers)], legal_name=f"Cliente {index + 1} Ltda", cnpj=CNPJS[index])
        for index in range(count)
    ]
