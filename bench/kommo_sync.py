"""Kommo master → 120 replicas: wall time against the floor the rate and the concurrency allow, and the
request counts of a first and of a no-change run.

    .venv/bin/python bench/kommo_sync.py --postgres postgres://postgres@127.0.0.1:5432 --redis redis://127.0.0.1:6379/3

The master has 10 pipelines × 15 stages and 150 custom fields (60 lead, 50 contact, 40 company fields; every
third a select with 5 options); 120 empty replicas. The fake Kommo (tests/fakes/kommo.py, in a thread of
this process) enforces 7 requests per second per account and answers 429 past it. The sync runs as
`sync_kommo` does: the parent execution reads the master and fans out 120 child executions, which run in
this process in a pool of KOMMO_CONCURRENCY threads (an in-process worker, not Celery), each account within
our shared Redis rate limiter. PostgreSQL: a temporary database, dropped at the end.

floor = max(busiest account's requests ÷ 7, all requests ÷ (7 × concurrency)).
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
RATE = 7
BENCH_TOKEN = "bench-token"  # noqa: S105 - the fake accepts it as a long-lived token
REPLICAS = 120


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3")
    parser.add_argument("--replicas", type=int, default=REPLICAS)
    parser.add_argument("--concurrency", type=int, default=8)
    return parser.parse_args()


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


def master_data(fake: "object") -> None:
    master = fake.account("bench-mestre")  # type: ignore[attr-defined]
    for number in range(10):
        stages = [f"Etapa {number + 1}.{stage + 1}" for stage in range(15)]
        master.add_pipeline(f"Funil {number + 1}", stages, sort=10 * (number + 1), is_main=number == 0)
    for entity, count in (("leads", 60), ("contacts", 50), ("companies", 40)):
        for number in range(count):
            if number % 3 == 0:
                master.add_field(
                    entity, f"{entity} campo {number}", "select", [f"Opção {i}" for i in range(5)], sort=number
                )
            else:
                master.add_field(entity, f"{entity} campo {number}", "text", sort=number)


def run_sync(label: str) -> tuple[float, object]:
    from integrations.kommo.sync import kommo_sync_create, kommo_sync_foreground

    started = time.monotonic()
    parent = kommo_sync_create(sync_type="full", local=True, user_agent="bench")
    parent = kommo_sync_foreground(parent)
    elapsed = time.monotonic() - started
    print(f"{label}: {parent.get_status_display()} em {elapsed:.1f} s")  # type: ignore[attr-defined]
    return elapsed, parent


def counts(fake: "object") -> tuple[int, int, int, int, int]:
    accounts = list(fake.accounts.values())  # type: ignore[attr-defined]
    total = sum(sum(a.per_second.values()) for a in accounts)
    busiest = max(sum(a.per_second.values()) for a in accounts)
    writes = sum(a.writes for a in accounts)
    over = sum(a.over_limit for a in accounts)
    peak = max(a.max_per_second for a in accounts)
    return total, busiest, writes, over, peak


def main() -> None:
    args = parse_args()
    name, url = create_database(args.postgres)
    try:
        os.environ.update(
            {
                "DATABASE_URL": url,
                "REDIS_URL": args.redis,
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DEMO_SIMULATORS": "0",
                "KOMMO_CONCURRENCY": str(args.concurrency),
                "KOMMO_RATE_LIMIT_PER_SECOND": str(RATE),
                "LOG_LEVEL": "ERROR",
            }
        )
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from integrations.kommo.models import AccountRole, KommoAccount
        from tests.fakes.kommo import KommoFake
        from tests.fakes.server import FakeServer

        call_command("migrate", verbosity=0)
        fake = KommoFake(rate_limit=RATE)
        master_data(fake)
        subdomains = [f"bench-filial-{n:03d}" for n in range(args.replicas)]
        for subdomain in ["bench-mestre", *subdomains]:
            fake.account(subdomain).long_lived_tokens.add(BENCH_TOKEN)
        with FakeServer(fake.handle) as server:
            settings.KOMMO_BASE_URL = f"{server.url}/{{subdomain}}"
            KommoAccount.objects.create(
                subdomain="bench-mestre", name="Mestre", role=AccountRole.MASTER, long_lived_token=BENCH_TOKEN
            )
            KommoAccount.objects.bulk_create(
                KommoAccount(subdomain=s, name=s, role=AccountRole.REPLICA, long_lived_token=BENCH_TOKEN)
                for s in subdomains
            )
            print(
                f"mestre: 10 funis × 15 etapas, 150 campos; {args.replicas} réplicas; "
                f"concorrência {args.concurrency}; {RATE} req/s por conta"
            )
            first_time, first = run_sync("primeira execução")
            first_counts = counts(fake)
            fake.reset_counters()
            second_time, second = run_sync("sem mudanças")
            second_counts = counts(fake)
        for label, elapsed, (total, busiest, writes, over, peak) in (
            ("primeira", first_time, first_counts),
            ("sem mudanças", second_time, second_counts),
        ):
            floor = max(busiest / RATE, total / (RATE * args.concurrency))
            print(
                f"{label}: {total} requisições ({writes} escritas), conta mais ocupada {busiest}, "
                f"pico {peak}/s por conta, 429: {over}; "
                f"{elapsed:.1f} s contra o piso de {floor:.1f} s ({elapsed / floor:.1f}×)"
            )
        total1, _b1, writes1, _o1, _p1 = first_counts
        total2, _b2, writes2, _o2, _p2 = second_counts
        floor1 = max(first_counts[1] / RATE, total1 / (RATE * args.concurrency))
        print(
            f"summary: {args.replicas} replicas, first run {first_time:.1f} s "
            f"(floor {floor1:.1f} s, {total1} requests, "
            f"{writes1} writes), no-change run {second_time:.1f} s ({total2} requests, {writes2} writes), "
            f"429s {first_counts[3] + second_counts[3]}, peak {max(first_counts[4], second_counts[4])}/s per account"
        )
        assert first.status == second.status == "SUCCEEDED"  # type: ignore[attr-defined]
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.postgres, name)


if __name__ == "__main__":
    main()
