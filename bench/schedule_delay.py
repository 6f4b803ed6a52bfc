"""How long a schedule edit takes to take effect: real `celery beat` (DatabaseScheduler) and worker.

    .venv/bin/python bench/schedule_delay.py                       # SQLite + file-system broker (make run)
    .venv/bin/python bench/schedule_delay.py --rounds 5 \\
        --postgres postgres://postgres@127.0.0.1:5432 --redis redis://127.0.0.1:6379/15

Everything is temporary: a SQLite file (or a new PostgreSQL database, dropped at the end) and a broker
folder in a temp directory (or the broker keys of the given Redis database, purged before and after).
Each round creates a 2-second PeriodicTask, disables it, enables it, slows it to 1 h and speeds it up
again, and measures for each edit when beat re-read the schedule (its log) and when the effect showed
in the ledger (first run after a start, last run after a stop). Beat is never restarted.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="server URL; a temporary database is created on it and dropped")
    parser.add_argument("--redis", help="redis://host:port/db used as the broker (its broker keys are purged)")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (worker and beat logs)")
    return parser.parse_args()


def create_database(server_url: str) -> tuple[str, str]:
    import psycopg

    name = f"orquestra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(rounds: int, env: dict[str, str], log_dir: Path) -> dict[str, list[tuple[float, float]]]:
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from orchestration.services.periodic_tasks import interval_schedule_for
    from tests.harness.processes import CeleryProcesses, wait_until
    from tests.harness.schedule_probe import (
        beat_reload_after,
        first_run_after,
        last_run_before_quiet,
        save_edit,
        seconds_between,
        smoke_runs_after,
    )

    results: dict[str, list[tuple[float, float]]] = {}

    def record(edit: str, reload: float, effect: float) -> None:
        results.setdefault(edit, []).append((reload, effect))
        print(f"  {edit:<28} beat re-read {reload:5.2f} s, effect {effect:5.2f} s", flush=True)

    with CeleryProcesses(env, log_dir) as celery:
        celery.worker()
        beat = celery.beat()
        for round_number in range(1, rounds + 1):
            print(f"round {round_number}/{rounds}", flush=True)
            created_at = timezone.now()
            task = PeriodicTask.objects.create(
                name=f"bench {round_number}",
                task="orchestration.smoke_test",
                interval=interval_schedule_for(2),
                kwargs=json.dumps({"seconds": 0}),
            )
            record(
                "create (first run)",
                beat_reload_after(beat, created_at),
                seconds_between(created_at, first_run_after(created_at)),
            )
            wait_until(lambda at=created_at: len(smoke_runs_after(at)) >= 2, timeout=15, what="two runs")

            disabled_at = save_edit(task, enabled=False)
            last = last_run_before_quiet(disabled_at)
            record("disable (last run)", beat_reload_after(beat, disabled_at), seconds_between(disabled_at, last))

            enabled_at = save_edit(task, enabled=True)
            first = first_run_after(enabled_at)
            record("enable (first run)", beat_reload_after(beat, enabled_at), seconds_between(enabled_at, first))

            slowed_at = save_edit(task, interval=interval_schedule_for(3600))
            last = last_run_before_quiet(slowed_at)
            record("2 s -> 1 h (last run)", beat_reload_after(beat, slowed_at), seconds_between(slowed_at, last))

            sped_at = save_edit(task, interval=interval_schedule_for(2))
            first = first_run_after(sped_at)
            record("1 h -> 2 s (first run)", beat_reload_after(beat, sped_at), seconds_between(sped_at, first))

            task.delete()
    return results


def main() -> int:
    args = parse_args()
    temp_dir = Path(tempfile.mkdtemp(prefix="orquestra-bench-"))
    database_name = ""
    if args.postgres:
        database_name, database_url = create_database(args.postgres)
    else:
        database_url = f"sqlite:///{temp_dir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "ORQUESTRA_VAR_DIR": str(temp_dir / "var"),
        "CELERY_BROKER_URL": args.redis or "filesystem://",
        "DEMO_SIMULATORS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)  # this process edits the same database the worker and beat use
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from tests.harness.processes import redis_broker_purge, safe_url

        call_command("migrate", verbosity=0)
        if args.redis:
            redis_broker_purge(args.redis)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = safe_url(args.redis) if args.redis else "filesystem"
        print(f"database {engine}, broker {broker}, beat max loop {settings.CELERY_BEAT_MAX_LOOP_INTERVAL} s")
        results = measure(args.rounds, env, temp_dir / "logs")
    finally:
        from django.db import connections

        connections.close_all()
        if database_name:
            drop_database(args.postgres, database_name)
        if args.redis:
            from tests.harness.processes import redis_broker_purge

            redis_broker_purge(args.redis)
        if args.keep:
            print(f"logs kept in {temp_dir / 'logs'}")
        else:
            shutil.rmtree(temp_dir, ignore_errors=True)

    print(f"\nedit-to-effect delay over {args.rounds} round(s), seconds (median / max):")
    print(f"  {'edit (effect measured)':<28} {'beat re-read':>15} {'effect':>15}")
    worst = 0.0
    for edit, pairs in results.items():
        reloads, effects = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
        worst = max(worst, *reloads, *effects)
        print(
            f"  {edit:<28} {statistics.median(reloads):6.2f} / {max(reloads):5.2f} "
            f"{statistics.median(effects):6.2f} / {max(effects):5.2f}"
        )
    print(f"worst: {worst:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
