"""Database backups: a backup is only one once it has been restored. PostgreSQL: pg_dump to the bucket (moto's
S3), restored with pg_restore into a scratch database, every table's row count compared. SQLite: the online
backup API, restored into a fresh file, likewise."""

import sqlite3
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection

from orchestration.invoices.imports import carrier_accounts_import
from orchestration.invoices.models import CarrierAccount
from orchestration.models import Execution, ExecutionStatus
from orchestration.services.backups import BackupError, database_backup, database_restore
from orchestration.services.executions import execution_log
from tests.orchestration.invoices.factories import cnpj, csv_bytes, ensure_carriers, row

SQLITE = "django.db.backends.sqlite3"


def _url(name: str) -> str:
    conf = connection.settings_dict
    auth = conf.get("USER") or "postgres"
    if conf.get("PASSWORD"):
        auth += f":{conf['PASSWORD']}"
    return f"postgres://{auth}@{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.fixture
def scratch_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.services
def test_a_postgresql_backup_restores_into_a_fresh_database_with_every_row(
    transactional_db: None, s3_server, s3_bucket: str, scratch_database: str
) -> None:  # type: ignore[no-untyped-def]
    ensure_carriers()
    assert carrier_accounts_import(source=csv_bytes([row(n) for n in range(1, 51)])).created == 50
    for n in range(3):
        execution_log(execution=Execution.objects.create(kind="SMOKE_TEST"), message=f"linha {n}")
    before = _counts(_url(connection.settings_dict["NAME"]))

    out = StringIO()
    call_command("backup_database", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("backups/orquestra-postgresql-") and key.endswith(".dump")
    assert s3_server.keys(s3_bucket, "backups/") == [key]
    backup_run = Execution.objects.get(kind="DATABASE_BACKUP")
    assert backup_run.status == ExecutionStatus.SUCCEEDED and backup_run.counters["key"] == key

    call_command("restore_backup", key, "--target-url", scratch_database, stdout=StringIO())

    restored = _counts(scratch_database)
    assert before["orchestration_carrieraccount"] == 50
    # The dump holds everything there was, plus its own backup run (then RUNNING, without lines yet).
    assert restored == {**before, "orchestration_execution": before["orchestration_execution"] + 1}
    with psycopg.connect(scratch_database) as conn:
        names = {name for (name,) in conn.execute("SELECT legal_name FROM orchestration_carrieraccount")}
    assert names == set(CarrierAccount.objects.values_list("legal_name", flat=True))
    assert Execution.objects.get(kind="DATABASE_RESTORE").status == ExecutionStatus.SUCCEEDED


@pytest.mark.services
def test_restore_backup_over_this_database_brings_back_what_was_deleted(transactional_db: None, s3_bucket: str) -> None:  # type: ignore[no-untyped-def]
    ensure_carriers()
    assert carrier_accounts_import(source=csv_bytes([row(n) for n in range(1, 21)])).created == 20
    out = StringIO()
    call_command("backup_database", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    CarrierAccount.objects.filter(pk__in=CarrierAccount.objects.values("pk")[:15]).delete()
    assert CarrierAccount.objects.count() == 5

    call_command("restore_backup", key, "--yes", stdout=out)

    assert CarrierAccount.objects.count() == 20
    assert CarrierAccount.objects.get(cnpj=cnpj(3)).portal_password == "senha-3"  # same keys decrypt it
    # The backup run was RUNNING inside its own dump; the restore closes it instead of leaving it to time out.
    assert list(Execution.objects.order_by("pk").values_list("kind", "status")) == [
        ("DATABASE_BACKUP", ExecutionStatus.SUCCEEDED),
        ("DATABASE_RESTORE", ExecutionStatus.SUCCEEDED),
    ]


def _sqlite_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE conta (id INTEGER PRIMARY KEY, nome TEXT)")
        db.execute("CREATE TABLE linha (id INTEGER PRIMARY KEY, conta_id INTEGER REFERENCES conta(id), texto TEXT)")
        db.executemany("INSERT INTO conta (nome) VALUES (?)", [(f"Conta {n}",) for n in range(120)])
        db.executemany("INSERT INTO linha (conta_id, texto) VALUES (?, ?)", [(n % 120 + 1, "x") for n in range(999)])


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


def test_a_sqlite_backup_restores_into_a_fresh_file_with_every_row(tmp_path: Path) -> None:
    source, restored = tmp_path / "origem.sqlite3", tmp_path / "restaurado.sqlite3"
    _sqlite_database(source)
    storage = FileSystemStorage(location=tmp_path / "media")
    writer = sqlite3.connect(source)  # a writer holding uncommitted work does not stop the online backup
    writer.execute("INSERT INTO conta (nome) VALUES ('em andamento')")

    result = database_backup(database={"ENGINE": SQLITE, "NAME": str(source)}, storage=storage)
    writer.rollback()
    writer.close()
    assert result.key.startswith("backups/orquestra-sqlite-") and storage.exists(result.key)

    database_restore(key=result.key, target={"ENGINE": SQLITE, "NAME": str(restored)}, storage=storage)
    assert _sqlite_counts(restored) == _sqlite_counts(source) == {"conta": 120, "linha": 999}

    with pytest.raises(BackupError, match="não encontrado"):
        database_restore(key="backups/nada.sqlite3", target={"ENGINE": SQLITE, "NAME": str(restored)}, storage=storage)
    with pytest.raises(BackupError, match="não é de SQLite"):
        database_restore(key="backups/x.dump", target={"ENGINE": SQLITE, "NAME": str(restored)}, storage=storage)
    storage.save("backups/orquestra-sqlite-20260101T000000Z-ruim.sqlite3", StringIO("não é um banco"))
    with pytest.raises(BackupError):
        database_restore(
            key="backups/orquestra-sqlite-20260101T000000Z-ruim.sqlite3",
            target={"ENGINE": SQLITE, "NAME": str(restored)},
            storage=storage,
        )
    assert _sqlite_counts(restored) == {"conta": 120, "linha": 999}  # a bad file changes nothing


def test_restoring_over_this_database_asks_first(db: None) -> None:
    with pytest.raises(CommandError, match="confirme com --yes"):
        call_command("restore_backup", "backups/x.dump", interactive=False)
