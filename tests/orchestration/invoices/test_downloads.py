"""Flow 2 in-process: the download run fans out to one child per process, the remote-job monitor starts,
polls and ends the RPA jobs, and each PDF lands in the bucket under its own key."""

import datetime

import pytest
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_parse
from orchestration.invoices.services.downloads import invoice_downloads_run
from orchestration.invoices.services.processes import invoice_processes_create
from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, RemoteJob
from orchestration.services.executions import execution_close_parent
from orchestration.services.stale_executions import executions_stale
from tests.fakes.rpa import RpaFake
from tests.harness.s3 import S3Server
from tests.orchestration.invoices.conftest import drive
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

MONTH = month_parse("03/2026")
pytestmark = pytest.mark.django_db


def _download_all() -> Execution:
    # The run hands every child straight to the monitor (no task per process).
    return invoice_downloads_run()


def _settled() -> bool:
    active = Execution.objects.filter(kind="INVOICE_DOWNLOAD", status__in=["QUEUED", "RUNNING", "RETRYING"])
    return not active.exists()


def _closed(parent: Execution) -> Execution:
    # The parent closes after its last child's commit; these tests run inside one transaction.
    execution_close_parent(parent_id=parent.pk)
    parent.refresh_from_db()
    return parent


def test_download_stores_each_pdf_under_its_own_key_and_reads_each_log_line_once(
    rpa_fake: RpaFake, s3_server: S3Server, s3_bucket: str
) -> None:
    carrier_accounts_setup(default_specs(6))
    assert invoice_processes_create(month=MONTH).created == 6
    parent = _download_all()
    drive(_settled)

    processes = list(InvoiceProcess.objects.order_by("id"))
    assert {p.status for p in processes} == {InvoiceStatus.AWAITING_APPROVAL}
    keys = s3_server.keys(s3_bucket, "pdfs/")
    assert sorted(p.invoice_key for p in processes) == keys and len(set(keys)) == 6
    assert all(p.due_date and p.amount and p.download_attempts == 1 and p.invoice_url for p in processes)
    parent = _closed(parent)
    assert parent.status == ExecutionStatus.SUCCEEDED
    assert parent.counters["invoices_downloaded"] == 6 and parent.counters["children_succeeded"] == 6
    assert max(rpa_fake.log_served.values()) == 1
    # Every robot line is in its Execution's log.
    for child in parent.children.all():
        job = RemoteJob.objects.get(execution=child)
        assert child.log_lines.filter(message__startswith="robô: ").count() == job.log_cursor == 7
    assert rpa_fake.max_running <= 4
    assert Alert.objects.filter(kind="PENDING_APPROVAL", status=AlertStatus.OPEN).count() == 6


def test_busy_robots_are_back_pressure_and_failures_retry_up_to_the_limit(
    rpa_fake: RpaFake, s3_server: S3Server, s3_bucket: str, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.RPA_MAX_CONCURRENT_JOBS = 5
    rpa_fake.robots = 2
    accounts = carrier_accounts_setup(default_specs(5))
    rpa_fake.outcomes[accounts[0].cnpj] = ["fail", "ok"]
    rpa_fake.outcomes[accounts[1].cnpj] = ["fail", "not_pdf", "fail"]
    invoice_processes_create(month=MONTH)
    parent = _download_all()
    drive(_settled, timeout=30)

    assert rpa_fake.busy_answers > 0
    by_account = {p.account_id: p for p in InvoiceProcess.objects.all()}
    assert by_account[accounts[0].pk].status == InvoiceStatus.AWAITING_APPROVAL
    assert by_account[accounts[0].pk].download_attempts == 2
    failed = by_account[accounts[1].pk]
    assert failed.status == InvoiceStatus.AWAITING_DOWNLOAD and failed.download_attempts == 3
    assert {
        p.download_attempts for p in by_account.values() if p.account_id not in (accounts[0].pk, accounts[1].pk)
    } == {1}
    child = parent.children.get(subject_id=str(failed.pk))
    assert child.status == ExecutionStatus.FAILED and child.attempt == 3
    assert "Falha no login" in child.error
    alert = Alert.objects.get(fingerprint=f"invoices:download-failed:{failed.pk}")
    assert alert.group == f"invoices:download-failed:{accounts[1].carrier.code}"
    parent = _closed(parent)
    assert parent.status == ExecutionStatus.PARTIAL
    assert len(rpa_fake.jobs_for(accounts[1].cnpj)) == 3
    assert max(rpa_fake.log_served.values()) == 1


def test_a_run_waiting_for_the_robots_is_not_taken_for_a_lost_worker(rpa_fake: RpaFake) -> None:
    carrier_accounts_setup(default_specs(2))
    invoice_processes_create(month=MONTH)
    parent = _download_all()  # no tick: both children wait for a slot, with no log line for hours
    later = timezone.now() + datetime.timedelta(days=2)
    assert not {execution.pk for execution in executions_stale(now=later)} & set(
        parent.children.values_list("pk", flat=True)
    )
