"""The whole pipeline through our HTTP API with a real Celery worker and beat, the RPA fake and moto's S3:
monthly creation, download (a failure retried, a non-PDF refused and retried, robots busy), a rejection and
a new download, approval, SAT upload. Then: the files are in the bucket under distinct keys, every
transition is in the ledger, the counters add up, no log line was fetched twice, no job was polled more
than once per RPA_POLL_SECONDS, jobs in flight outnumbered the worker's pool (monitoring holds no worker),
and a second run of every scheduled job changes nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from rest_framework.test import APIClient

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current, month_format
from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, RemoteJob, Role
from orchestration.services.remote_jobs import PENDING_TICK_KEY
from tests.fakes.rpa import DEFAULT_TOKEN, RpaFake
from tests.fakes.server import FakeServer
from tests.harness.processes import (
    CeleryProcesses,
    redis_broker_env,
    redis_broker_purge,
    send_task,
    this_process_broker,
    wait_until,
)
from tests.harness.s3 import S3Server
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

pytestmark = pytest.mark.services
BASE = "/api/v1/invoice-processes/"
POLL_SECONDS = 0.5
WORKER_CONCURRENCY = 2
SCHEDULED = ("invoices.create_invoice_processes", "invoices.download_invoices", "invoices.send_invoices_to_sat")


@pytest.fixture
def rpa_server() -> Iterator[tuple[RpaFake, FakeServer]]:
    fake = RpaFake(robots=3, job_seconds=1.5, queue_seconds=0.1, retry_after=0.5)
    with FakeServer(fake.handle) as server:
        yield fake, server


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _tick_every_second() -> None:
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name="orchestration.remote_jobs_tick").update(interval=interval)
    PeriodicTasks.update_changed()


def _finished(execution_id: int, timeout: float = 60) -> Execution:
    def done() -> Execution | None:
        execution = Execution.objects.get(pk=execution_id)
        return execution if execution.is_finished else None

    return wait_until(done, timeout=timeout, what=f"execution {execution_id} to finish")


def _all_in(status: str, timeout: float = 60) -> list[InvoiceProcess]:
    def there() -> list[InvoiceProcess] | None:
        processes = list(InvoiceProcess.objects.order_by("id"))
        return processes if processes and all(p.status == status for p in processes) else None

    return wait_until(there, timeout=timeout, what=f"every process in {status}", interval=0.2)


def _snapshot() -> list[tuple[Any, ...]]:
    return list(InvoiceProcess.objects.order_by("id").values_list())


def test_monthly_creation_download_approval_and_sat_upload_through_the_api(
    transactional_db: None,
    subprocess_env: dict[str, str],
    tmp_path: Any,
    s3_server: S3Server,
    s3_bucket: str,
    rpa_server: tuple[RpaFake, FakeServer],
    make_user: Any,
    settings: Any,
) -> None:
    fake, server = rpa_server
    rpa_settings = {
        "RPA_API_URL": server.url,
        "RPA_API_TOKEN": DEFAULT_TOKEN,
        "RPA_POLL_SECONDS": str(POLL_SECONDS),
        "RPA_MAX_CONCURRENT_JOBS": "4",
        "RPA_RETRY_BACKOFF_SECONDS": "0.5",
        "RPA_JOB_TIMEOUT_SECONDS": "60",
        "REMOTE_JOBS_TICK_SECONDS": "1",
    }
    env = redis_broker_env({**subprocess_env, **s3_server.environment(s3_bucket), **rpa_settings})
    broker = env["CELERY_BROKER_URL"]
    redis_broker_purge(broker)
    cache.delete(PENDING_TICK_KEY)  # a previous test's follow-up tick, purged with the broker
    settings.RPA_MAX_ATTEMPTS = 3
    operator, approver = make_user(Role.OPERATOR), make_user(Role.APPROVER)
    accounts = carrier_accounts_setup(default_specs(5))
    fake.outcomes[accounts[0].cnpj] = ["fail", "ok"]
    fake.outcomes[accounts[1].cnpj] = ["not_pdf", "ok"]
    call_command("setup_schedules", verbosity=0)
    _tick_every_second()

    with CeleryProcesses(env, tmp_path / "logs") as celery, this_process_broker(broker):
        celery.worker(concurrency=WORKER_CONCURRENCY)
        celery.beat()

        # 1. Monthly creation, through the API.
        # The schedule's run creates the current month; so does this one (the second run below then finds them).
        month = month_format(month_current(timezone.localdate()))
        response = _client(operator).post(f"{BASE}create-monthly/", {"month": month}, format="json")
        assert response.status_code == 202, response.content
        created = _finished(response.json()["execution_id"])
        assert created.status == ExecutionStatus.SUCCEEDED and created.counters == {"created": 5, "existing": 0}

        # 2. Download every process awaiting it.
        response = _client(operator).post(f"{BASE}download/", {}, format="json")
        assert response.status_code == 202
        downloads = response.json()["execution_id"]
        processes = _all_in(InvoiceStatus.AWAITING_APPROVAL)
        run = _finished(downloads)
        assert run.status == ExecutionStatus.SUCCEEDED
        assert run.counters["children_succeeded"] == 5 and run.counters["invoices_downloaded"] == 5
        attempts = {p.account_id: p.download_attempts for p in processes}
        assert attempts == {accounts[0].pk: 2, accounts[1].pk: 2, **{a.pk: 1 for a in accounts[2:]}}
        assert fake.max_running == 3 > WORKER_CONCURRENCY  # jobs in flight hold no worker

        # 3. A rejection keeps the file; a new download through the API, then approval of all.
        rejected = processes[2]
        rejected_key = rejected.invoice_key
        response = _client(approver).post(f"{BASE}{rejected.pk}/reject/", {"reason": "Fatura ilegível"}, format="json")
        assert response.status_code == 200
        assert _client(operator).post(f"{BASE}{rejected.pk}/approve/").status_code == 403
        response = _client(operator).post(f"{BASE}{rejected.pk}/download/")
        assert response.status_code == 202
        assert _finished(response.json()["execution_id"]).status == ExecutionStatus.SUCCEEDED
        for process in InvoiceProcess.objects.order_by("id"):
            assert _client(approver).post(f"{BASE}{process.pk}/approve/").status_code == 200
        assert not Alert.objects.filter(kind="PENDING_APPROVAL", status=AlertStatus.OPEN).exists()

        # 4. SAT upload of everything approved.
        response = _client(operator).post(f"{BASE}send-to-sat/", {}, format="json")
        assert response.status_code == 202
        processes = _all_in(InvoiceStatus.SAT_UPLOADED)
        assert _finished(response.json()["execution_id"]).counters["invoices_sent"] == 5
        assert all(p.sat_sent and p.sat_sent_at and p.sat_protocol.startswith("SAT-") for p in processes)
        assert all(p.sat_attempts == 1 for p in processes)

        # 5. A second run of every scheduled job changes nothing.
        before = (_snapshot(), RemoteJob.objects.count(), s3_server.keys(s3_bucket), fake.count("POST", "/executar"))
        for name in SCHEDULED:
            task_id = send_task(broker, name, {})
            execution = wait_until(
                lambda task_id=task_id: Execution.objects.filter(celery_task_id=task_id).first(), timeout=30, what=name
            )
            finished = _finished(execution.pk)
            assert finished.status == ExecutionStatus.SUCCEEDED, (name, finished.error)
            assert finished.counters.get("created", 0) == 0 and finished.counters.get("children_total", 0) == 0
        after = (_snapshot(), RemoteJob.objects.count(), s3_server.keys(s3_bucket), fake.count("POST", "/executar"))
        assert after == before

    # The files: one key per process (plus the rejected one and the refused non-PDF, which stored nothing).
    keys = s3_server.keys(s3_bucket, "pdfs/")
    assert sorted([p.invoice_key for p in processes] + [rejected_key]) == keys
    assert len(set(keys)) == 6
    # The SAT payload named each invoice's key in the bucket.
    sat_jobs = [job for job in fake.jobs.values() if job.kind == "sat"]
    assert sorted(job.payload["nome_arquivo"] for job in sat_jobs) == sorted(p.invoice_key for p in processes)
    # Every transition is in the ledger, linked to its process, with who did it.
    for process in processes:
        kinds = list(
            Execution.objects.filter(subject_id=str(process.pk), status=ExecutionStatus.SUCCEEDED)
            .order_by("id")
            .values_list("kind", flat=True)
        )
        expected = ["INVOICE_DOWNLOAD", "INVOICE_APPROVAL", "INVOICE_SAT_UPLOAD"]
        if process.pk == rejected.pk:
            expected = [
                "INVOICE_DOWNLOAD",
                "INVOICE_REJECTION",
                "INVOICE_DOWNLOAD",
                "INVOICE_APPROVAL",
                "INVOICE_SAT_UPLOAD",
            ]
        assert kinds == expected
        approval = Execution.objects.get(subject_id=str(process.pk), kind="INVOICE_APPROVAL")
        assert approval.started_by == approver and approval.requester_ip == "127.0.0.1"
    # The robots' lines are in the executions, each fetched once; each job polled at most once per interval.
    assert max(fake.log_served.values()) == 1
    for job in RemoteJob.objects.exclude(remote_id=""):
        times = fake.poll_times(job.remote_id)
        assert all(later - earlier >= POLL_SECONDS * 0.9 for earlier, later in zip(times, times[1:], strict=False))
    for execution in Execution.objects.filter(remote_jobs__isnull=False).distinct():
        cursors = sum(job.log_cursor for job in execution.remote_jobs.all())
        assert execution.log_lines.filter(message__startswith="robô: ").count() == cursors > 0
