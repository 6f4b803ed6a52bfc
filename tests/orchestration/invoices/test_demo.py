"""The demo of `make run`: demo accounts and processes, one real download run queued, and the demo approver."""

import pytest

from orchestration.invoices.models import CarrierAccount, InvoiceProcess, InvoiceStatus
from orchestration.invoices.services.demo import invoices_demo_step, invoices_demo_write
from orchestration.models import Execution, Role

pytestmark = pytest.mark.django_db


def test_demo_writes_once_and_the_demo_approver_approves_one_a_step(make_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_SIMULATORS = True
    settings.RPA_API_URL = ""
    first = invoices_demo_write(None)
    assert first is not None and first.status == "QUEUED" and first.kind == "INVOICE_DOWNLOADS"
    assert invoices_demo_write(None) is None
    assert CarrierAccount.objects.count() == 6 and InvoiceProcess.objects.count() == 12
    approver = make_user(Role.APPROVER, email="aprovador.demo@orquestra.local")
    InvoiceProcess.objects.filter(pk__in=list(InvoiceProcess.objects.values_list("pk", flat=True)[:2])).update(
        status=InvoiceStatus.AWAITING_APPROVAL
    )
    said = invoices_demo_step()
    assert "aprovada" in said and "SAT" in said
    assert InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_SAT_UPLOAD, approved_by=approver).count() == 1
    assert Execution.objects.filter(kind="INVOICE_SAT_UPLOADS").count() == 1
    settings.RPA_API_URL = "https://rpa.example.com"
    assert invoices_demo_step() == ""  # never plays the approver against a real server
