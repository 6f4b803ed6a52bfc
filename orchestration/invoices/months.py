"""The invoice month: stored as the month's first day, shown and accepted as `MM/YYYY` (as the source and
the RPA server's `mes_ano` have it)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MONTH = re.compile(r"(\d{1,2})/(\d{4})")


def month_parse(value: str) -> datetime.date:
    """`MM/YYYY` (or `M/YYYY`) → the month's first day; ValidationError for anything else."""
    match = _MONTH.fullmatch((value or "").strip())
    if match is None or not 1 <= int(match[1]) <= 12 or not 2000 <= int(match[2]) <= 2100:
        raise ValidationError(
            _("Mês inválido: %(value)s. Use MM/AAAA, por exemplo 03/2026.") % {"value": value}, code="month"
        )
    return datetime.date(int(match[2]), int(match[1]), 1)


def month_format(month: datetime.date) -> str:
    return f"{month.month:02d}/{month.year}"


def month_current(today: datetime.date) -> datetime.date:
    return today.replace(day=1)
