"""The lists people search, in a real browser: executions (filters through htmx, kept in the URL), alerts and
the invoice processes of a month with an approver's bulk approval; accessible, and no sideways scroll on a phone."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from orchestration.invoices.months import month_parse
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import invoice_manual_upload, invoice_processes_create
from orchestration.models import (
    Alert,
    AlertStatus,
    Execution,
    ExecutionStatus,
    InvoiceProcess,
    InvoiceStatus,
    Role,
    Severity,
    User,
)
from orchestration.services.alerts import alert_raise
from tests.browser.conftest import PHONE, Live, assert_accessible, horizontal_overflow, screenshot
from tests.fakes.rpa import pdf_bytes
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

pytestmark = pytest.mark.e2e
MONTH = "05/2026"


def _data(tmp_path: Any, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path)
    approver = User.objects.create_user("aprovadora@example.com", "x", name="Ana Aprovadora", role=Role.APPROVER)
    now = timezone.now()
    parent = Execution.objects.create(
        kind="INVOICE_DOWNLOADS", status=ExecutionStatus.PARTIAL, started_at=now - timedelta(minutes=3), finished_at=now
    )
    failed = Execution.objects.create(
        kind="MOVIDESK_SYNC",
        status=ExecutionStatus.FAILED,
        error="HTTP 503 do Movidesk: serviço indisponível, tente mais tarde " * 3,
        error_type="TransientError",
        started_at=now - timedelta(seconds=40),
        finished_at=now,
    )
    Execution.objects.create(kind="MOVIDESK_SYNC", status=ExecutionStatus.SUCCEEDED, started_at=now, finished_at=now)
    item = Execution.objects.create(
        kind="INVOICE_DOWNLOAD", status=ExecutionStatus.FAILED, parent=parent, error="Portal fora"
    )
    alert_raise(
        fingerprint="movidesk:sync-failed",
        group="movidesk:sync",
        severity=Severity.CRITICAL,
        title="Sincronização do Movidesk falhou",
        details="HTTP 503",
        execution=failed,
    )
    alert_raise(fingerprint="kommo:auth:acme", group="kommo:auth", title="Kommo acme precisa de nova autorização")
    carrier_accounts_setup(default_specs(3))
    invoice_processes_create(month=month_parse(MONTH))
    processes = list(InvoiceProcess.objects.order_by("account__legal_name"))
    for process in processes[:2]:
        invoice_manual_upload(process=process, filename="f.pdf", content=pdf_bytes("b"), actor=Actor(user=approver))
    return {"approver": approver, "failed": failed, "item": item, "processes": processes}


def test_the_lists_filter_act_and_fit_a_phone(live: Live, tmp_path: Any, settings: Any) -> None:
    data = _data(tmp_path, settings)
    page = live.page(data["approver"])

    page.goto(live.url("/console/executions/"))
    top_level = Execution.objects.filter(parent__isnull=True).count()
    assert page.locator("#execution-table tbody tr").count() == top_level  # not the fan-out's item on its own
    assert page.locator(f'tr[data-execution="{data["item"].pk}"]').count() == 0
    page.locator('#execution-filters input[name="status"][value="FAILED"]').check()
    page.locator("#execution-filters button[type=submit]").click()
    page.wait_for_url("**/console/executions/?status=FAILED")  # htmx swapped the list, pushed the filters only
    page.locator(f'tr[data-execution="{data["failed"].pk}"]').wait_for()
    assert page.locator("#execution-table tbody tr").count() == 1
    assert "Falhou" in page.locator("#execution-table").inner_text()
    screenshot(page, "executions-list")
    assert_accessible(page)

    page.goto(live.url("/console/alerts/?status=OPEN"))
    assert page.locator("#alert-table tbody tr").count() == Alert.objects.filter(status=AlertStatus.OPEN).count()
    assert "Sincronização do Movidesk falhou" in page.locator("#alert-table").inner_text()
    screenshot(page, "alerts-list")
    assert_accessible(page)

    page.goto(live.url(f"/invoices/processes/?month={MONTH}"))
    first, second, third = data["processes"]
    for process in (first, second, third):
        page.locator(f"#process-{process.pk}").check()
    page.locator("#bulk-approve").click()
    page.wait_for_url(f"**month={MONTH.replace('/', '%2F')}**")
    messages = page.locator("ul.messagelist").inner_text()
    assert "Aprovar: 2 processos atendidos." in messages and "recusado" in messages
    statuses = dict(InvoiceProcess.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == InvoiceStatus.AWAITING_SAT_UPLOAD
    assert statuses[third.pk] == InvoiceStatus.AWAITING_DOWNLOAD
    screenshot(page, "invoice-processes")
    assert_accessible(page)

    phone = live.page(data["approver"], viewport=PHONE)
    for path in ("/console/executions/?items=1", "/console/alerts/", f"/invoices/processes/?month={MONTH}"):
        phone.goto(live.url(path))
        assert horizontal_overflow(phone) == 0, path
    screenshot(phone, "invoice-processes-phone")
