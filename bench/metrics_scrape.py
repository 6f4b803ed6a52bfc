"""One /metrics scrape on PostgreSQL with a full ledger: how long it takes and how many queries it makes.

    .venv/bin/python bench/metrics_scrape.py [--postgres postgres://postgres@127.0.0.1:5432] [--executions 100000]

A temporary database is created on the server (migrated, dropped at the end). It gets --executions
executions over 14 kinds and every status, their `created_at` spread over the last --days days (so about
1/days of them fall in the 24-hour window), 2 % still active, plus 300 remote jobs and 400 alerts; then
/metrics is scraped --scrapes times through Django's test client (loopback, no token), after one warm-up
scrape. The broker is the embedded file-system one (an empty folder): the Redis LLENs are one pipelined
round trip on top. Last line: the summary.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

KINDS = [
    "MOVIDESK_SYNC", "KOMMO_SYNC", "KOMMO_REPLICA_SYNC", "CALENDAR_SYNC", "WHATSAPP_CHECK", "WHATSAPP_CLEANUP",
    "INVOICE_DOWNLOAD", "INVOICE_SAT_UPLOAD", "INVOICE_MANUAL_UPLOAD", "INVOICE_APPROVAL", "HEARTBEAT",
    "LEDGER_PURGE", "BACKUP", "SMOKE_TEST",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def fill(executions: int, days: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from orchestration.models import Alert, Execution, ExecutionStatus, RemoteJob, RemoteJobState, Severity

    statuses = [
        *[ExecutionStatus.SUCCEEDED] * 80,
        *[ExecutionStatus.FAILED] * 8,
        *[ExecutionStatus.PARTIAL] * 4,
        *[ExecutionStatus.TIMED_OUT] * 2,
        *[ExecutionStatus.SKIPPED] * 2,
        *[ExecutionStatus.CANCELLED] * 2,
        ExecutionStatus.RUNNING,
        ExecutionStatus.QUEUED,
    ]
    batch = [Execution(kind=KINDS[i % len(KINDS)], status=statuses[(i * 7) % len(statuses)]) for i in range(executions)]
    Execution.objects.bulk_create(batch, batch_size=5000)
    # Spread over the last `days` days; durations from a second to an hour (log-uniform), none for active ones.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE orchestration_execution SET
                created_at = now() - random() * %s * interval '1 day',
                started_at = NULL, finished_at = NULL;
            UPDATE orchestration_execution SET started_at = created_at + interval '1 second';
            UPDATE orchestration_execution SET finished_at = started_at + power(3600, random()) * interval '1 second'
            WHERE status NOT IN ('RUNNING', 'QUEUED', 'RETRYING');
            ANALYZE orchestration_execution;
            """,
            [days],
        )
    parent = Execution.objects.filter(status=ExecutionStatus.RUNNING).first()
    states = [RemoteJobState.WAITING, RemoteJobState.STARTING, RemoteJobState.RUNNING, RemoteJobState.FINISHED]
    RemoteJob.objects.bulk_create(
        RemoteJob(
            execution=parent, handler=["invoice_download", "invoice_sat_upload"][i % 2], pool="rpa",
            state=states[i % 4], subject_key=f"invoice:{i}", slot=i if states[i % 4] in states[1:3] else None,
        )
        for i in range(300)
    )  # fmt: skip
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            fingerprint=f"bench:{i}", group=f"group-{i % 12}", severity=Severity.values[i % 3], title=f"alert {i}",
            status="OPEN" if i % 4 else "RESOLVED", first_seen_at=now, last_seen_at=now,
        )
        for i in range(400)
    )  # fmt: skip


def child(executions: int, days: int, scrapes: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    started = time.monotonic()
    fill(executions, days)
    print(f"filled {executions} executions in {time.monotonic() - started:.1f} s", flush=True)

    client = Client()
    assert client.get("/metrics").status_code == 200  # warm-up: connection, kinds registry
    times = []
    for _ in range(scrapes):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            response = client.get("/metrics")
            times.append(time.perf_counter() - begin)
        assert response.status_code == 200
    lines = sum(1 for line in response.content.decode().splitlines() if line and not line.startswith("#"))
    window = sum(
        float(line.rsplit(" ", 1)[1])
        for line in response.content.decode().splitlines()
        if line.startswith("orquestra_executions{")
    )
    print(f"{lines} samples per scrape; {window:.0f} executions in the 24 h window", flush=True)
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:110]}")
    print(
        f"metrics scrape: {executions} executions, {len(queries.captured_queries)} queries, "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {scrapes} scrapes"
    )


def main() -> int:
    args = parse_args()
    if args.child:
        child(args.executions, args.days, args.scrapes)
        return 0
    import psycopg

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEMO_SIMULATORS": "0",
        "PYTHONPATH": str(PROJECT_DIR),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "METRICS_TOKEN", "METRICS_ALLOWED_NETWORKS"):
        env.pop(name, None)
    created = f"orq_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        env["ORQUESTRA_VAR_DIR"] = tmp
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{created}"')
        parts = urlsplit(args.postgres)
        env["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{created}", "", ""))
        try:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
            command = [sys.executable, __file__, "--child", "--executions", str(args.executions)]
            command += ["--days", str(args.days), "--scrapes", str(args.scrapes)]
            return subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
