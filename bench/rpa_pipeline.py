"""The RPA download pipeline at scale: 1,000 processes against the fake RPA server with 10 robots and 0.2 s
jobs, a real Celery worker on Redis and a temporary PostgreSQL database.

    .venv/bin/python bench/rpa_pipeline.py --postgres postgres://postgres@127.0.0.1:5432 \\
        --redis redis://127.0.0.1:6379/7 [--processes 1000 --robots 10 --job-seconds 0.2 --concurrency 2]

One `download_invoices` run fans out to one child per process; the remote-job monitor starts jobs while
its pool (RPA_MAX_CONCURRENT_JOBS = robots) has slots, polls them every RPA_POLL_SECONDS and stores each PDF
(local storage in a temporary folder). Printed: the wall time from the run's start until the last process
reached AWAITING_APPROVAL, against the floor (processes × job seconds / robots); RPA requests per job
(503 busy answers apart); and the worker slots held: busy worker-seconds (the sum of every task's run time,
from the worker's log) divided by the wall time, next to the jobs in flight on average. The database is
dropped at the end.
"""

import argparse
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
_SUCCEEDED = re.compile(r"succeeded in ([0-9.]+)s")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="server URL; a temporary database is created and dropped")
    parser.add_argument("--redis", required=True, help="a Redis database of your own (broker, cache, locks)")
    parser.add_argument("--processes", type=int, default=1000)
    parser.add_argument("--robots", type=int, default=10)
    parser.add_argument("--job-seconds", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--poll", type=float, default=0.1, help="RPA_POLL_SECONDS")
    return parser.parse_args()


def cnpj(number: int) -> str:
    base = f"{number:012d}"

    def digit(digits: str, weights: list[int]) -> str:
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        return "0" if remainder < 2 else str(11 - remainder)

    first = digit(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    return base + first + digit(base + first, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])


def main() -> None:
    args = parse_args()
    import psycopg

    name = f"orquestra_bench_rpa_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database_url = urlunsplit(urlsplit(args.postgres)._replace(path=f"/{name}"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-rpa-"))
    try:
        run(args, database_url, workdir)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(args.postgres.rstrip("/") + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace, database_url: str, workdir: Path) -> None:
    from tests.fakes.rpa import DEFAULT_TOKEN, RpaFake
    from tests.fakes.server import FakeServer

    fake = RpaFake(robots=args.robots, job_seconds=args.job_seconds, queue_seconds=0.0, retry_after=0.1)
    server = FakeServer(fake.handle).start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis,
        "CELERY_BROKER_URL": args.redis,
        "ORQUESTRA_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "AWS_STORAGE_BUCKET_NAME": "",
        "DEMO_SIMULATORS": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "RPA_API_URL": server.url,
        "RPA_API_TOKEN": DEFAULT_TOKEN,
        "RPA_MAX_CONCURRENT_JOBS": str(args.robots),
        "RPA_POLL_SECONDS": str(args.poll),
        "RPA_RETRY_BACKOFF_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from orchestration.invoices.models import (
        Carrier,
        CarrierAccount,
        InvoiceProcess,
        InvoiceStatus,
        account_unique_hash,
    )
    from orchestration.invoices.months import month_parse
    from orchestration.invoices.services.processes import invoice_processes_create
    from orchestration.models import Execution, RemoteJob
    from tests.harness.processes import CeleryProcesses, redis_broker_purge, send_task

    call_command("migrate", verbosity=0)
    carriers = list(Carrier.objects.order_by("code"))
    accounts = []
    for index in range(args.processes):
        carrier = carriers[index % len(carriers)]
        number = cnpj(10_000_000 + index)
        accounts.append(
            CarrierAccount(
                legal_name=f"Cliente {index:04d} Ltda",
                cnpj=number,
                carrier=carrier,
                unit="Matriz",
                service="Fixa",
                portal_login=f"login{index}",
                unique_hash=account_unique_hash(cnpj=number, carrier_code=carrier.code, unit="Matriz", service="Fixa"),
            )
        )
    CarrierAccount.objects.bulk_create(accounts, batch_size=1000)
    invoice_processes_create(month=month_parse("03/2026"))
    redis_broker_purge(args.redis)

    with CeleryProcesses(env, workdir / "logs") as celery:
        worker = celery.worker(concurrency=args.concurrency)
        started = time.monotonic()
        task_id = send_task(args.redis, "invoices.download_invoices", {"month": "03/2026"})
        total = args.processes
        while InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL).count() < total:
            if time.monotonic() - started > 1200:
                raise SystemExit("gave up after 20 minutes")
            time.sleep(0.2)
        wall = time.monotonic() - started
        time.sleep(1)
        busy = sum(float(match) for match in _SUCCEEDED.findall(worker.log()))
        tasks = len(_SUCCEEDED.findall(worker.log()))

    parent = Execution.objects.get(celery_task_id=task_id)
    jobs = RemoteJob.objects.exclude(remote_id="").count()
    in_flight = sum(
        (job.finished_at - job.started_at).total_seconds() for job in RemoteJob.objects.exclude(remote_id="")
    )
    statuses = [request[3] for request in fake.requests]
    busy_answers = statuses.count(503)
    requests = len(statuses) - busy_answers
    floor = args.processes * args.job_seconds / args.robots
    server.stop()
    print(f"processes: {args.processes}, robots: {args.robots}, job: {args.job_seconds} s, poll: {args.poll} s")
    print(f"parent run: {parent.status}, children: {parent.children.count()}, jobs started: {jobs}")
    print(f"wall time: {wall:.1f} s (floor {floor:.1f} s, {wall / floor:.2f}× the floor)")
    print(f"RPA requests: {requests} ({requests / jobs:.2f} per job) + {busy_answers} busy answers (503)")
    print(f"worker: {tasks} tasks, {busy:.1f} busy worker-seconds of {wall * args.concurrency:.1f} available")
    print(f"jobs in flight on average: {in_flight / wall:.1f}; worker slots held on average: {busy / wall:.2f}")
    print(
        f"SUMMARY wall={wall:.1f}s floor={floor:.1f}s ratio={wall / floor:.2f} requests_per_job={requests / jobs:.2f} "
        f"busy_503={busy_answers} avg_jobs_in_flight={in_flight / wall:.1f} avg_worker_slots_held={busy / wall:.2f}"
        f"/{args.concurrency}"
    )


if __name__ == "__main__":
    main()
