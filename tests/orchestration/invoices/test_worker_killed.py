"""A worker killed around the start request never leads to two RPA jobs for one process at once.

The monitor commits the slot (the intent) before the POST and the job id as soon as the answer is read.
Killed after that, the next tick (anywhere) polls the job it knows: one POST in all. Killed while the
answer was still on its way (the server had created the job), nobody knows the job id: the job is never
started again before its deadline; it then ends TIMED_OUT, counts as an attempt, and only then is a new job
started, when the first one is over. After each kill the monitor runs in this process, as any worker would."""

import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.services.downloads import DOWNLOAD_STEP, invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import invoice_processes_create
from orchestration.invoices.services.remote_steps import step_child_run
from orchestration.models import Execution, ExecutionStatus, RemoteJob, RemoteJobState, Role
from orchestration.services.remote_jobs import PENDING_TICK_KEY, remote_jobs_tick
from tests.fakes.rpa import DEFAULT_TOKEN, RpaFake
from tests.fakes.server import FakeServer
from tests.harness.processes import (
    CeleryProcesses,
    redis_broker_env,
    redis_broker_purge,
    this_process_broker,
    wait_until,
)
from tests.harness.s3 import S3Server
from tests.orchestration.invoices.factories import carrier_accounts_setup, default_specs

pytestmark = pytest.mark.services
TIMEOUT_SECONDS = 5


@pytest.fixture
def rpa(settings: Any) -> Iterator[tuple[RpaFake, FakeServer]]:
    fake = RpaFake(robots=2, job_seconds=1.0, queue_seconds=0.0)
    with FakeServer(fake.handle) as server:
        settings.RPA_API_URL = server.url
        settings.RPA_API_TOKEN = DEFAULT_TOKEN
        settings.RPA_POLL_SECONDS = 0.3
        settings.RPA_RETRY_BACKOFF_SECONDS = 0.2
        settings.RPA_JOB_TIMEOUT_SECONDS = TIMEOUT_SECONDS
        settings.DEMO_SIMULATORS = False
        yield fake, server


def _worker_env(subprocess_env: dict[str, str], s3: dict[str, str], server: FakeServer) -> dict[str, str]:
    return redis_broker_env(
        {
            **subprocess_env,
            **s3,
            "RPA_API_URL": server.url,
            "RPA_API_TOKEN": DEFAULT_TOKEN,
            "RPA_POLL_SECONDS": "0.3",
            "RPA_JOB_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
            "RPA_RETRY_BACKOFF_SECONDS": "0.2",
        }
    )


def _monitor_here_until_finished(execution: Execution, timeout: float = 30) -> Execution:
    deadline = time.monotonic() + timeout
    while not Execution.objects.get(pk=execution.pk).is_finished:
        assert time.monotonic() < deadline, "the execution did not finish"
        remote_jobs_tick()
        time.sleep(0.1)
    return Execution.objects.get(pk=execution.pk)


def test_a_worker_killed_before_or_after_the_answer_was_recorded_never_starts_a_second_job_at_once(
    transactional_db: None,
    subprocess_env: dict[str, str],
    tmp_path: Any,
    s3_server: S3Server,
    s3_bucket: str,
    rpa: tuple[RpaFake, FakeServer],
    make_user: Any,
) -> None:
    fake, server = rpa
    env = _worker_env(subprocess_env, s3_server.environment(s3_bucket), server)
    broker = env["CELERY_BROKER_URL"]
    redis_broker_purge(broker)
    cache.delete(PENDING_TICK_KEY)  # a previous test's follow-up tick, purged with the broker
    actor = Actor(user=make_user(Role.OPERATOR), ip="127.0.0.1")
    after, during = carrier_accounts_setup(default_specs(2))
    invoice_processes_create(month=timezone.localdate().replace(day=1))
    processes = {p.account_id: p for p in InvoiceProcess.objects.all()}

    with CeleryProcesses(env, tmp_path / "logs") as celery, this_process_broker(broker):
        # Killed after the job id was committed: the job is the monitor's; nothing is started again.
        fake.job_seconds = 3.0
        worker = celery.worker(name="first")
        execution = invoice_download_request(process=processes[after.pk], actor=actor)
        wait_until(
            lambda: RemoteJob.objects.filter(execution=execution, state=RemoteJobState.RUNNING).exists(),
            timeout=30,
            what="the job to be running",
        )
        worker.kill(signal.SIGKILL)
        step_child_run(DOWNLOAD_STEP, execution_id=execution.pk)  # the child's message delivered again
        finished = _monitor_here_until_finished(execution)
        assert finished.status == ExecutionStatus.SUCCEEDED
        assert len(fake.jobs_for(after.cnpj)) == 1
        assert InvoiceProcess.objects.get(pk=processes[after.pk].pk).download_attempts == 1

        # Killed while the answer was on its way (the server had already created the job).
        fake.job_seconds = 1.0
        fake.post_delay_seconds = 3.0
        worker = celery.worker(name="second")
        execution = invoice_download_request(process=processes[during.pk], actor=actor)
        wait_until(lambda: fake.jobs_for(during.cnpj), timeout=30, what="the server to create the job")
        assert RemoteJob.objects.get(execution=execution).state == RemoteJobState.STARTING
        worker.kill(signal.SIGKILL)
        fake.post_delay_seconds = 0.0
        finished = _monitor_here_until_finished(execution)

    redis_broker_purge(broker)
    first, second = sorted(fake.jobs_for(during.cnpj), key=lambda job: job.created)
    assert second.created >= first.ends  # never two jobs for the process at once
    assert finished.status == ExecutionStatus.SUCCEEDED and finished.attempt == 2
    process = InvoiceProcess.objects.get(pk=processes[during.pk].pk)
    assert process.status == InvoiceStatus.AWAITING_APPROVAL and process.download_attempts == 2
    assert finished.log_lines.filter(message__contains="sem resposta registrada").exists()
    assert fake.poll_times(first.id) == []  # its id never reached us
