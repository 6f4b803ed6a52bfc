"""Google Calendar sync: push N appointments, then an incremental run after 10 events change in Google.

    .venv/bin/python bench/calendar_sync.py --postgres postgres://postgres@127.0.0.1:5432 [--appointments 10000]

A temporary database is created on the server (migrated, dropped at the end; without --postgres a temporary
SQLite file). The fake Google Calendar runs in this process on a real socket; the product's client reaches it
through GOOGLE_CALENDAR_API_URL, exactly as in the tests. Our rate limiter is off, so the times are our own
overhead plus the fake's answers; the time the real per-user quota would add is computed from the calls made.

Runs, each one real CALENDAR_SYNC execution:
  1. push      (direction to_google): every appointment of the window goes out in batch requests;
  2. full list (bidirectional): the first read of the calendar, which gives the sync token;
  3. incremental, after 10 events were moved in Google: only what changed comes back.
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
QUOTA_PER_MINUTE = 500  # GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE's default, calls per user per minute


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="server URL; a temporary database is created on it and dropped")
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def child(appointments: int, changed: int) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from calendar_sync.models import Appointment, GoogleCalendarIntegration, SyncDirection
    from calendar_sync.sync import SYNC_KIND, calendar_run, integration_lock
    from orchestration.models import Company, Role, User
    from orchestration.services.executions import execution_create
    from tests.fakes.google_calendar import GoogleCalendarFake
    from tests.fakes.google_oauth import CLIENT_ID, CLIENT_SECRET
    from tests.fakes.server import FakeServer

    fake = GoogleCalendarFake()
    email = "bench@example.com"
    fake.add_user(email)
    with FakeServer(fake.handle) as server:
        from django.conf import settings

        settings.GOOGLE_CALENDAR_CLIENT_ID, settings.GOOGLE_CALENDAR_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        settings.GOOGLE_OAUTH_TOKEN_URL = f"{server.url}/token"
        settings.GOOGLE_OAUTH_REVOKE_URL = f"{server.url}/revoke"
        settings.GOOGLE_CALENDAR_API_URL = f"{server.url}/"
        settings.GOOGLE_CALENDAR_RATE_LIMIT_PER_MINUTE = 0

        company = Company.objects.create(name="Bench")
        user = User.objects.create_user(email, "x" * 12, name="Bench", role=Role.OPERATOR, company=company)
        access, refresh = fake.oauth.issue_tokens(email)
        integration = GoogleCalendarIntegration.objects.create(
            user=user,
            access_token=access,
            refresh_token=refresh,
            calendar_id=email,
            token_expires_at=timezone.now() + timedelta(hours=1),
            sync_direction=SyncDirection.TO_GOOGLE,
        )
        start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
        spread = max(1, (29 * 24 * 60) // max(1, appointments))  # minutes between two, inside the 30-day window
        Appointment.objects.bulk_create(
            Appointment(
                company=company,
                professional=user,
                client_name=f"Cliente {n}",
                client_phone="(11) 99999-0000",
                service="Consulta",
                start=start + timedelta(minutes=spread * n),
                duration_minutes=30,
            )
            for n in range(appointments)
        )

        def run(label: str, mode: str) -> tuple[float, int, int, dict[str, int]]:
            seen, calls = len(fake.seen), fake.api_calls
            execution = execution_create(
                kind=SYNC_KIND,
                parameters={"integration_id": integration.pk, "mode": mode},
                lock_key=integration_lock(integration.pk),
            )
            began = time.perf_counter()
            done = calendar_run(kind=SYNC_KIND, execution_id=execution.pk)
            seconds = time.perf_counter() - began
            assert done.status == "SUCCEEDED", (label, done.status, done.error)
            return seconds, len(fake.seen) - seen, fake.api_calls - calls, done.counters

        push_s, push_requests, push_calls, counters = run("push", "all")
        assert counters["created"] == appointments, counters
        assert len(fake.live_events(email)) == appointments
        print(
            f"push: {appointments} appointments in {push_requests} HTTP requests ({push_calls} calls in batches of "
            f"≤1000), {push_s:.1f} s, {appointments / push_s:.0f} appointments/s",
            flush=True,
        )
        print(
            f"  at the default quota of {QUOTA_PER_MINUTE} calls/min per user the same push takes "
            f"≥ {push_calls / QUOTA_PER_MINUTE:.0f} min",
            flush=True,
        )

        GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(sync_direction=SyncDirection.BIDIRECTIONAL)
        integration.refresh_from_db()
        full_s, full_requests, _calls, counters = run("full list", "recent")
        print(
            f"first full list: {counters['listed']} events in {full_requests} HTTP requests "
            f"({counters['pages']} pages of 250), {full_s:.1f} s; echoes recognised: {counters['echoes']}",
            flush=True,
        )

        events = sorted(fake.live_events(email), key=lambda e: e["id"])[:changed]
        for event in events:
            moved = timezone.datetime.fromisoformat(event["start"]["dateTime"]) + timedelta(hours=1)
            fake.google_edit(email, event["id"], start=moved, end=moved + timedelta(minutes=30))
        inc_s, inc_requests, _calls, counters = run("incremental", "recent")
        assert counters["applied"] == changed, counters
        print(
            f"incremental after {changed} events changed in Google: {inc_requests} HTTP requests, "
            f"{counters['listed']} events listed, {counters['applied']} applied, {inc_s:.2f} s",
            flush=True,
        )
        print(
            f"summary: push {appointments} = {push_requests} requests / {push_s:.1f} s; "
            f"incremental after {changed} changes = {inc_requests} requests / {inc_s:.2f} s",
            flush=True,
        )


def main() -> int:
    args = parse_args()
    if args.child:
        child(args.appointments, args.changed)
        return 0
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEMO_SIMULATORS": "0",
        "PYTHONPATH": str(PROJECT_DIR),
    }
    env.pop("REDIS_URL", None)
    created = ""
    with tempfile.TemporaryDirectory() as tmp:
        env["ORQUESTRA_VAR_DIR"] = tmp
        if args.postgres:
            import psycopg

            created = f"orq_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{created}"')
            parts = urlsplit(args.postgres)
            env["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{created}", "", ""))
        else:
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        try:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
            return subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--appointments",
                    str(args.appointments),
                    "--changed",
                    str(args.changed),
                ],
                cwd=PROJECT_DIR,
                env=env,
            ).returncode
        finally:
            if created:
                with psycopg.connect(args.postgres, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
