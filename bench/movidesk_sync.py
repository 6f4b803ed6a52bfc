"""Movidesk sync throughput and memory: the fake Movidesk (its own process) → our sync → PostgreSQL.

    .venv/bin/python bench/movidesk_sync.py --postgres postgres://postgres@127.0.0.1:5432 \\
        --tickets 10000 100000 [--real-limit-pages 12]

For each size, a fresh fake serves N tickets whose lastUpdate is spread over the last 50 days, and the
backfill (`sync_movidesk --since`, 5-day windows, 100 tickets a page) runs twice in a child process:
the first run inserts everything, the second finds nothing changed. The rate limiter is off, so the
time is our own overhead plus the fake's and PostgreSQL's answers; the child's CPU seconds are shown
apart. Both runs are repeated under tracemalloc for the peak of Python memory (kept out of the timed
runs, which it would slow down). A temporary database is created on the server and dropped at the end.

Under the real limit (10 requests a minute per token; our limiter keeps a 2 % margin, 10 per 61.2 s)
the same backfill's duration is computed from the number of requests the run made. `--real-limit-pages`
also measures a short run through our limiter against the fake's own 10/min limiter, to check the pace.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
DAYS = 50
TOKEN = "bench-token"  # noqa: S105 - the fake's token
REAL_LIMIT = 10  # requests per minute per token, Movidesk's published limit
LIMIT_WINDOW = 60 * 1.02  # our limiter's window, margin included


def seconds_at_real_limit(requests: int) -> float:
    """Sliding window: REAL_LIMIT requests at once, the next REAL_LIMIT one window later, and so on."""
    return max(0, requests - 1) // REAL_LIMIT * LIMIT_WINDOW


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="server URL; a temporary database is created on it and dropped")
    parser.add_argument("--tickets", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--real-limit-pages", type=int, default=0, help="also measure N requests at 10/min")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- parent -------------------------------------------------------------------------------------


def create_database(server_url: str) -> tuple[str, str]:
    import psycopg

    name = f"orquestra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_fake(tickets: int, extra: list[str] | None = None) -> tuple[subprocess.Popen[str], str]:
    args = ["--port", "0", "--tickets", str(tickets), "--days", str(DAYS), "--token", TOKEN, *(extra or [])]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.movidesk", *args], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def run_child(env: dict[str, str], url: str, extra: list[str] | None = None) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", "--url", url, *(extra or [])],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise SystemExit(f"child failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure_real_limit(pages: int) -> None:
    """`pages` requests through our limiter (10/min) against the fake enforcing 10/min itself."""
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from integrations.movidesk.client import TICKETS, MovideskClient

    fake, url = start_fake(pages * 10, ["--rate-limit", f"{REAL_LIMIT}/60", "--token", ""])
    try:
        client = MovideskClient(base_url=url, token=f"{TOKEN}-{uuid.uuid4().hex}", rate_limit_requests=REAL_LIMIT)
        end = datetime.now(UTC)
        started, cursor, statuses = time.monotonic(), None, []
        client.log = lambda message, level: statuses.append(message)
        for _ in range(pages):
            page = client.tickets_page(
                path=TICKETS, start=end - timedelta(days=DAYS + 1), end=end, after=cursor, top=10
            )
            cursor = page.cursor
        elapsed = time.monotonic() - started
    finally:
        fake.terminate()
        fake.wait(10)
    print(json.dumps({"pages": pages, "seconds": elapsed, "rejected": sum(" 429 " in line for line in statuses)}))


def main() -> None:
    args = parse_args()
    if args.child and args.real_limit_pages:
        measure_real_limit(args.real_limit_pages)
        return
    if args.child:
        child(args.url)
        return
    if not args.postgres:
        raise SystemExit("give --postgres postgres://user@host:port (a temporary database is created there)")
    name, database_url = create_database(args.postgres)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "DEMO_SIMULATORS": "0",
        "REDIS_URL": "",
        "MOVIDESK_TOKEN": TOKEN,
        "MOVIDESK_RATE_LIMIT_PER_MINUTE": "0",
        "ORQUESTRA_VAR_DIR": tempfile.mkdtemp(prefix="orquestra-bench-"),
        "LOG_LEVEL": "WARNING",
    }
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
        results = {}
        for tickets in args.tickets:
            fake, url = start_fake(tickets)
            try:
                results[tickets] = run_child({**env, "MOVIDESK_BASE_URL": url}, url)
            finally:
                fake.terminate()
                fake.wait(10)
            report(tickets, results[tickets])
        if args.real_limit_pages:
            measured = run_child(env, "", ["--real-limit-pages", str(args.real_limit_pages)])
            expected = seconds_at_real_limit(args.real_limit_pages)
            print(
                f"\nmeasured at the real limit: {measured['pages']} requests in {measured['seconds']:.1f} s "
                f"({expected:.1f} s computed); "
                f"429 answers from the fake's own 10/min limiter: {measured['rejected']}"
            )
    finally:
        drop_database(args.postgres, name)


def report(tickets: int, result: dict[str, Any]) -> None:
    print(f"\n{tickets:,} tickets from the fake into PostgreSQL ({DAYS} days, 5-day windows, 100 a page)")
    print(f"  {'run':<26} {'seconds':>8} {'tickets/s':>10} {'CPU s':>7} {'peak Python MB':>15} {'max RSS MB':>11}")
    for label in ("first", "second"):
        timed, traced = result["timed"][label], result["traced"][label]
        print(
            f"  {label + ' (' + timed['summary'] + ')':<26} {timed['seconds']:8.1f} "
            f"{timed['total'] / timed['seconds']:10.0f} {timed['cpu']:7.1f} "
            f"{traced['peak_bytes'] / 2**20:15.1f} {traced['max_rss_mb']:11.0f}"
        )
    requests = result["timed"]["first"]["pages"]
    computed = seconds_at_real_limit(requests)
    print(
        f"  under the real 10 requests/minute: {requests} requests → {computed / 60:.0f} min ({computed / 3600:.1f} h) "
        f"(computed: {REAL_LIMIT} requests per {LIMIT_WINDOW:.1f} s, our limiter's window)"
    )


# --- child ----------------------------------------------------------------------------------------


def child(url: str) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection

    from integrations.movidesk.backfill import movidesk_backfill_plan, movidesk_backfill_run
    from integrations.movidesk.models import MovideskBackfill
    from integrations.movidesk.windows import local_today

    since = local_today() - timedelta(days=DAYS)

    def one_run(traced: bool) -> dict[str, Any]:
        plan = movidesk_backfill_plan(since=since, restart=True)
        cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        execution = movidesk_backfill_run(plan=plan)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.stop()
        assert execution.status == "SUCCEEDED", execution.error
        counters = execution.counters
        return {
            "seconds": seconds,
            "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_before,
            "peak_bytes": peak,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "total": counters["total"],
            "pages": counters["pages"],
            "summary": f"new {counters['new']}" if counters["new"] else f"unchanged {counters['unchanged']}",
        }

    results: dict[str, dict[str, Any]] = {}
    for mode in ("timed", "traced"):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE integrations_movideskticket")
        MovideskBackfill.objects.all().delete()
        results[mode] = {"first": one_run(mode == "traced"), "second": one_run(mode == "traced")}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
