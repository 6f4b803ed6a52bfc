"""CNPJ and CPF: punctuation accepted, stored bare, check digits verified (alphanumeric CNPJs included)."""

import pytest
from django.core.exceptions import ValidationError

from orchestration.invoices.tax_ids import cnpj_format, cnpj_normalize, cpf_normalize


@pytest.mark.parametrize("typed", ["11.222.333/0001-81", "11222333000181", " 11 222 333 0001 81 "])
def test_a_cnpj_is_accepted_with_or_without_punctuation(typed: str) -> None:
    assert cnpj_normalize(typed) == "11222333000181"
    assert cnpj_format("11222333000181") == "11.222.333/0001-81"


def test_an_alphanumeric_cnpj_of_receita_federal_is_valid() -> None:
    assert cnpj_normalize("12.abc.345/01de-35") == "12ABC34501DE35"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("11.222.333/0001-82", "verificadores"),
        ("00000000000000", "verificadores"),
        ("1122233300018", "14 caracteres"),
        ("11.222.333/0001-8A", "14 caracteres"),
    ],
)
def test_a_wrong_cnpj_is_refused_saying_why(typed: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        cnpj_normalize(typed)


def test_cpf_check_digits() -> None:
    assert cpf_normalize("529.982.247-25") == "52998224725"
    for wrong in ("529.982.247-26", "111.111.111-11", "5299822472"):
        with pytest.raises(ValidationError):
            cpf_normalize(wrong)
