"""The invoice month is MM/YYYY on every edge and the month's first day in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from orchestration.invoices.months import month_format, month_parse
from orchestration.models import Carrier, CarrierAccount, InvoiceProcess


def test_month_round_trip() -> None:
    assert month_parse("03/2026") == datetime.date(2026, 3, 1)
    assert month_parse("3/2026") == datetime.date(2026, 3, 1)
    assert month_format(datetime.date(2026, 12, 1)) == "12/2026"


@pytest.mark.parametrize("typed", ["13/2026", "2026-03", "00/2026", "03/26", ""])
def test_a_malformed_month_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="MM/AAAA"):
        month_parse(typed)


@pytest.mark.django_db
def test_the_database_holds_one_process_per_account_and_first_days_only() -> None:
    account = CarrierAccount.objects.create(
        legal_name="ACME", cnpj="11222333000181", carrier=Carrier.objects.get(code="VIVO"), service="Fixo"
    )
    assert len(account.unique_hash) == 64
    InvoiceProcess.objects.create(account=account, month=datetime.date(2026, 3, 1))
    with pytest.raises(IntegrityError):
        InvoiceProcess.objects.create(account=account, month=datetime.date(2026, 4, 2))
