"""The 5-minute WhatsApp check at scale: 500 sessions, half on the fake Evolution API and half on the fake
WAHA (each its own process), every answer taking 200 ms.

    .venv/bin/python bench/whatsapp_check.py [--postgres postgres://postgres@127.0.0.1:5432] \\
        [--sessions 500] [--delay 0.2] [--concurrency 20 50]

For each concurrency the whole check runs twice through the real job (`sessions_check_run`, ledger lock,
thread pool, every write): first with every stored status wrong (500 transitions written), then with
nothing to change (the steady state). Prints the wall time against the 300 s period and against the floor,
sessions × delay ÷ concurrency. Without --postgres the database is a temporary SQLite file; with it, a
temporary database is created on that server and dropped at the end.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
PERIOD_SECONDS = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="server URL; a temporary database is created on it and dropped")
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds each provider answer takes")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[20, 50])
    return parser.parse_args()


def start_fake(module: str, count_flag: str, count: int, delay: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0", count_flag, str(count), "--delay", str(delay)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


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


def run(args: argparse.Namespace, evolution_url: str, waha_url: str) -> list[str]:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from orchestration.models import Execution
    from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession
    from whatsapp_health.runs import sessions_check_run

    half = args.sessions // 2
    rows = [
        WhatsAppSession(
            name=f"Evolution {n}",
            provider=Provider.EVOLUTION,
            base_url=evolution_url,
            api_key=f"inst-{n:04d}-token",
            instance=f"inst-{n:04d}",
        )
        for n in range(half)
    ] + [
        WhatsAppSession(
            name=f"WAHA {n}",
            provider=Provider.WAHA,
            base_url=waha_url,
            api_key="waha-api-key",
            instance=f"sess-{n:04d}",
        )
        for n in range(args.sessions - half)
    ]
    WhatsAppSession.objects.bulk_create(rows)
    lines = []
    for concurrency in args.concurrency:
        settings.WHATSAPP_CHECK_CONCURRENCY = concurrency
        floor = args.sessions * args.delay / concurrency
        for label in ("all 500 wrong", "steady state"):
            if label == "all 500 wrong":
                WhatsAppSession.objects.update(status=SessionStatus.DISCONNECTED)
            started = time.monotonic()
            execution = sessions_check_run()
            wall = time.monotonic() - started
            execution = Execution.objects.get(pk=execution.pk)
            counters = execution.counters
            line = (
                f"concurrency {concurrency:>3} ({label}): {wall:6.2f} s wall for {counters['sessions']} sessions "
                f"({counters['checked_ok']} answered, {counters['status_changed']} changed) = "
                f"{wall / PERIOD_SECONDS:.1%} of the {PERIOD_SECONDS} s period; floor {floor:.2f} s "
                f"(x{wall / floor:.2f})"
            )
            print(line, flush=True)  # noqa: T201
            lines.append(line)
            assert execution.status == "SUCCEEDED", (execution.status, execution.error)
    return lines


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="whatsapp-bench-"))
    database_name = ""
    if args.postgres:
        database_name, database_url = create_database(args.postgres)
    else:
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": database_url,
            "ORQUESTRA_VAR_DIR": str(work / "var"),
            "REDIS_URL": "",
            "DEMO_SIMULATORS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    half = args.sessions // 2
    evolution, evolution_url = start_fake("tests.fakes.evolution", "--instances", half, args.delay)
    waha, waha_url = start_fake("tests.fakes.waha", "--sessions", args.sessions - half, args.delay)
    try:
        lines = run(args, evolution_url, waha_url)
    finally:
        for process in (evolution, waha):
            process.terminate()
            process.wait(timeout=10)
        if database_name:
            from django.db import connections

            connections.close_all()
            drop_database(args.postgres, database_name)
    best = min(lines, key=lambda line: float(line.split(":")[1].split("s wall")[0]))
    print(f"summary: {args.sessions} sessions × {args.delay:.1f} s; best run {best.split(': ', 1)[1]}")  # noqa: T201


if __name__ == "__main__":
    main()
