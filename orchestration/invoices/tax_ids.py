"""Brazilian tax ids: CNPJ (companies, 14 characters) and CPF (people, 11 digits), stored without punctuation.

Input may carry the usual punctuation (`12.345.678/0001-95`, `123.456.789-09`); anything else, a wrong
length, a repeated digit or a wrong check digit is refused. CNPJs issued from July 2026 may have letters in
their first 12 positions (Receita Federal's alphanumeric CNPJ): each character counts as its code minus 48,
so the all-digit CNPJs of before keep their check digits."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PUNCTUATION = re.compile(r"[.\-/\s]")


def _digits(value: str) -> str:
    return _PUNCTUATION.sub("", value or "")


_CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")


def _check_digit(digits: str, weights: list[int]) -> str:
    remainder = sum((ord(d) - 48) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def cnpj_normalize(value: str) -> str:
    """The CNPJ's 14 characters (digits, or letters and digits), or ValidationError saying what is wrong."""
    digits = _digits(value).upper()
    if not _CNPJ.fullmatch(digits):
        raise ValidationError(
            _("CNPJ inválido: são 14 caracteres (com ou sem . / -), os dois últimos dígitos."), code="cnpj_format"
        )
    first = _check_digit(digits[:12], [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    second = _check_digit(digits[:12] + first, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    if len(set(digits)) == 1 or digits[12:] != first + second:
        raise ValidationError(_("CNPJ inválido: os dígitos verificadores não conferem."), code="cnpj_digits")
    return digits


def cpf_normalize(value: str) -> str:
    """The CPF's 11 digits, or ValidationError saying what is wrong."""
    digits = _digits(value)
    if not digits.isdigit() or len(digits) != 11:
        raise ValidationError(_("CPF inválido: são 11 dígitos (com ou sem . -)."), code="cpf_format")
    first = _check_digit(digits[:9], list(range(10, 1, -1)))
    second = _check_digit(digits[:9] + first, list(range(11, 1, -1)))
    if len(set(digits)) == 1 or digits[9:] != first + second:
        raise ValidationError(_("CPF inválido: os dígitos verificadores não conferem."), code="cpf_digits")
    return digits


def cnpj_format(digits: str) -> str:
    if len(digits) != 14:
        return digits
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"


def validate_cnpj(value: str) -> None:
    cnpj_normalize(value)


def validate_cpf(value: str) -> None:
    if value:
        cpf_normalize(value)
