"""CSV import throughput on PostgreSQL: N carrier accounts, a first import and a re-import of the same file.

    .venv/bin/python bench/import_accounts.py --postgres postgres://postgres@127.0.0.1:5432 [--rows 100000]

A temporary database is created on the server (migrated, so it has the four carriers) and dropped at the
end. The file is what a spreadsheet saves: `;`, Windows-1252, formatted CNPJs, a portal password per row.
The first import creates every account (bulk inserts, each password encrypted); the re-import reads them
back (each password decrypted) and finds all unchanged. A third run changes 1 % of the rows. Times are the
service's (`carrier_accounts_import`), reading and decoding the file included. The last line is the summary.
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


def with_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="server URL; a temporary database is created and dropped")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import psycopg

    name = f"orq_bench_import_{uuid.uuid4().hex[:8]}"
    admin_url = with_database(args.postgres, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        os.environ["DATABASE_URL"] = with_database(args.postgres, name)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        os.environ.pop("REDIS_URL", None)
        run(args.rows)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from orchestration.invoices.imports import carrier_accounts_import
    from orchestration.invoices.models import CarrierAccount
    from tests.orchestration.invoices.factories import csv_bytes, row

    call_command("migrate", verbosity=0)
    carriers = ["OI", "VIVO", "EMBRATEL", "DIGITALNET"]
    values = [row(n, carrier=carriers[n % 4]) for n in range(1, rows + 1)]
    data = csv_bytes(values, delimiter=";", encoding="cp1252")
    print(f"file: {rows} rows, {len(data) / 1e6:.1f} MB, ';', Windows-1252")

    figures = []
    for label, payload, check in [
        ("first import", data, "created"),
        ("re-import (unchanged)", data, "unchanged"),
    ]:
        started = time.perf_counter()
        report = carrier_accounts_import(source=payload)
        seconds = time.perf_counter() - started
        assert getattr(report, check) == rows, report.counters()
        figures.append((label, seconds))
        print(f"{label}: {seconds:.2f} s, {rows / seconds:,.0f} rows/s  {report.summary()}")

    for n in range(0, rows, 100):
        values[n]["senha_portal"] = f"trocada-{n}"
    changed = csv_bytes(values, delimiter=";", encoding="cp1252")
    started = time.perf_counter()
    report = carrier_accounts_import(source=changed)
    seconds = time.perf_counter() - started
    assert report.updated == len(range(0, rows, 100)), report.counters()
    print(f"re-import with 1 % changed: {seconds:.2f} s, {rows / seconds:,.0f} rows/s  {report.summary()}")
    assert CarrierAccount.objects.count() == rows

    (first_label, first), (second_label, second) = figures
    print(
        f"import_accounts {rows} rows on PostgreSQL: first import {rows / first:,.0f} rows/s ({first:.1f} s), "
        f"re-import {rows / second:,.0f} rows/s ({second:.1f} s)"
    )


if __name__ == "__main__":
    main()
