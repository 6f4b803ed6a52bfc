"""The execution page and the summary htmx refreshes while the run is active."""

import pytest
from django.test import Client
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess
from orchestration.models import ExecutionStatus, Trigger, User
from orchestration.services.executions import (
    execution_create,
    execution_fail,
    execution_log,
    execution_set_counters,
    execution_start,
)
from tests.orchestration.invoices.factories import account

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_labels_tables_the_item_and_the_lines(operator_user: User) -> None:
    process = InvoiceProcess.objects.create(
        account=account(legal_name="Mercado Azul Ltda"), month=timezone.localdate().replace(day=1)
    )
    execution = execution_start(
        execution=execution_create(
            kind="INVOICE_DOWNLOAD", trigger=Trigger.MANUAL, parameters={"process_id": process.pk}, subject=process
        )
    )
    execution_set_counters(execution=execution, pages_read=3)
    execution_log(execution=execution, message="<b>baixando</b> a fatura")

    html = signed_in(operator_user).get(f"/console/executions/{execution.pk}/").content.decode()

    assert "Download de uma fatura pelo RPA" in html and "Em execução" in html
    assert '<th scope="row">pages read</th><td>3</td>' in html  # counters as a table, not JSON
    assert f'href="/admin/orchestration/invoiceprocess/{process.pk}/change/">Mercado Azul Ltda' in html
    assert "&lt;b&gt;baixando&lt;/b&gt; a fatura" in html  # a line is text, never markup
    assert f'data-stream-url="/api/v1/executions/{execution.pk}/stream"' in html


def test_the_summary_keeps_polling_while_active_and_stops_when_finished(operator_user: User) -> None:
    execution = execution_start(execution=execution_create(kind="MOVIDESK_SYNC", trigger=Trigger.MANUAL))
    client = signed_in(operator_user)

    active = client.get(f"/console/executions/{execution.pk}/summary", headers={"HX-Request": "true"})
    execution_fail(execution=execution, error=RuntimeError("portal fora do ar"))
    finished = client.get(f"/console/executions/{execution.pk}/summary", headers={"HX-Request": "true"})

    assert active.status_code == 200 and 'data-status="RUNNING"' in active.content.decode()
    assert finished.status_code == 286  # htmx stops polling
    assert 'data-status="FAILED"' in finished.content.decode() and "portal fora do ar" in finished.content.decode()
    assert execution.__class__.objects.get(pk=execution.pk).status == ExecutionStatus.FAILED


def test_unknown_executions_are_404_and_the_page_needs_a_sign_in(operator_user: User) -> None:
    assert signed_in(operator_user).get("/console/executions/999999/").status_code == 404
    answer = Client().get("/console/executions/1/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
