"""Flow 7's daily report: by status, failures and pending approvals, to the alerts' recipients, once a day."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current
from orchestration.models import Execution, ExecutionStatus, Notification
from orchestration.services.executions import execution_create
from orchestration.services.notifications import notifications_deliver
from tests.orchestration.invoices.factories import account

pytestmark = pytest.mark.django_db


def test_the_report_reaches_administrators_and_approvers_once_a_day(admin_user, approver_user, operator_user) -> None:  # type: ignore[no-untyped-def]
    month = month_current(timezone.localdate())
    waiting = InvoiceProcess.objects.create(
        account=account("VIVO", legal_name="Padaria Estrela"),
        month=month,
        status=InvoiceStatus.AWAITING_APPROVAL,
        amount=Decimal("1234.50"),
    )
    InvoiceProcess.objects.create(account=account("OI"), month=month)
    InvoiceProcess.objects.create(account=account("OI"), month=datetime.date(2020, 1, 1))  # another month
    recent = execution_create(kind="SMOKE_TEST", subject=waiting)
    Execution.objects.filter(pk=recent.pk).update(
        status=ExecutionStatus.FAILED, error="Portal fora do ar", finished_at=timezone.now() - timedelta(hours=2)
    )
    old = execution_create(kind="SMOKE_TEST", subject=waiting)
    Execution.objects.filter(pk=old.pk).update(
        status=ExecutionStatus.FAILED, error="antiga", finished_at=timezone.now() - timedelta(hours=30)
    )

    call_command("send_daily_report")

    sent = list(Notification.objects.order_by("recipient_id"))
    assert {n.recipient for n in sent} == {admin_user, approver_user}  # operators: only what is theirs
    body = sent[0].body
    assert sent[0].subject == f"Relatório diário das faturas — {timezone.localdate():%d/%m/%Y}"
    assert "- Aguardando aprovação: 1" in body and "- Aguardando download: 1" in body
    assert "Falhas nas últimas 24 horas: 1" in body and "Portal fora do ar" in body and "antiga" not in body
    assert "Aguardando aprovação: 1" in body and "Padaria Estrela" in body and "R$ 1234,50" in body

    call_command("send_daily_report")  # the second run of the day sends nothing
    assert Notification.objects.count() == 2
    runs = list(Execution.objects.filter(kind="INVOICE_DAILY_REPORT").order_by("pk"))
    assert [r.counters["notifications"] for r in runs] == [2, 0]
    assert all(r.status == ExecutionStatus.SUCCEEDED for r in runs)

    notifications_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, approver_user.email])
