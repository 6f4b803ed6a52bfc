"""Database backups to the file storage (S3/MinIO or MEDIA_ROOT, through django-storages) under `backups/`,
and their restore. PostgreSQL: `pg_dump --format=custom` and `pg_restore`; SQLite: the online backup API
(`sqlite3.Connection.backup`), which copies a consistent snapshot while others keep writing.

A backup is only worth what its restore gives back: the tests restore one into a fresh database and
compare every table's row count."""

import datetime
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.backends.sqlite3._functions import register as register_django_functions  # type: ignore[import-untyped]
from django.utils import timezone

from orchestration.exceptions import ValidationFailed

BACKUP_PREFIX = "backups/"
DATABASE_BACKUP_KIND = "DATABASE_BACKUP"
DATABASE_RESTORE_KIND = "DATABASE_RESTORE"
POSTGRES_SUFFIX = ".dump"
SQLITE_SUFFIX = ".sqlite3"
COMMAND_TIMEOUT_SECONDS = 2900  # under the backup task's soft time limit (3000 s)
POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


class BackupError(ValidationFailed):
    """A backup or restore that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    key: str
    size: int
    sha256: str


def _engine(database: dict[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine not in (POSTGRES, SQLITE):
        raise BackupError(f"Backup não suportado para o banco {engine}: só PostgreSQL e SQLite.")
    return engine


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict[str, Any]) -> list[str]:
    args = ["--dbname", str(database["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args += [option, str(database[key])]
    return args


def _run(command: list[str], database: dict[str, Any]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} não encontrado no PATH: instale o cliente do PostgreSQL (postgresql-client).")
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [program, *command[1:]],
        env=_pg_env(database),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} falhou (código {done.returncode}): {' | '.join(detail[-5:])}")


def _sqlite_source(alias: str, database: dict[str, Any]) -> sqlite3.Connection:
    connection = connections[alias]
    if connection.settings_dict is database or str(database["NAME"]) in (":memory:", ""):
        connection.ensure_connection()
        return connection.connection  # type: ignore[no-any-return]
    return sqlite3.connect(str(database["NAME"]))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_key(engine: str, now: datetime.datetime) -> str:
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "postgresql" if engine == POSTGRES else "sqlite"
    return f"{BACKUP_PREFIX}orquestra-{kind}-{stamp}{POSTGRES_SUFFIX if engine == POSTGRES else SQLITE_SUFFIX}"


def database_backup(
    *,
    alias: str = "default",
    database: dict[str, Any] | None = None,
    storage: Storage | None = None,
    now: datetime.datetime | None = None,
) -> BackupResult:
    """Dumps the database and stores the file under `backups/`; returns its key, size and SHA-256."""
    database = database or connections[alias].settings_dict
    storage = storage or default_storage
    engine = _engine(database)
    with tempfile.TemporaryDirectory(prefix="orquestra-backup-") as folder:
        path = Path(folder) / "backup"
        if engine == POSTGRES:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(path),
                    *_pg_args(database),
                ],
                database,
            )
        else:
            source = _sqlite_source(alias, database)
            target = sqlite3.connect(str(path))
            try:
                source.backup(target)
            finally:
                target.close()
                if source is not connections[alias].connection:
                    source.close()
        size, sha256 = path.stat().st_size, _sha256(path)
        with path.open("rb") as handle:
            key = storage.save(backup_key(engine, now or timezone.now()), File(handle))
    return BackupResult(key=key, size=size, sha256=sha256)


@contextmanager
def _downloaded(key: str, storage: Storage) -> Iterator[Path]:
    if not key.startswith(BACKUP_PREFIX) or ".." in key:
        raise BackupError(f"Chave de backup inválida: {key} (os backups ficam em {BACKUP_PREFIX}).")
    if not storage.exists(key):
        raise BackupError(f"Backup {key} não encontrado no armazenamento.")
    with tempfile.TemporaryDirectory(prefix="orquestra-restore-") as folder:
        path = Path(folder) / "backup"
        with storage.open(key, "rb") as remote, path.open("wb") as local:
            shutil.copyfileobj(remote, local, 1 << 20)
        yield path


def database_restore(
    *, key: str, alias: str = "default", target: dict[str, Any] | None = None, storage: Storage | None = None
) -> None:
    """Restores backup `key` into `target` (connection settings; default: the database of `alias`, whose
    connections are closed first). PostgreSQL: the archive is checked with `pg_restore --list`, then
    restored in one transaction (`--clean --if-exists`): it fails whole or replaces every table. SQLite:
    the file is checked with `PRAGMA integrity_check`, then copied in with the online backup API."""
    storage = storage or default_storage
    live = target is None
    target = target or connections[alias].settings_dict
    engine = _engine(target)
    suffix = POSTGRES_SUFFIX if engine == POSTGRES else SQLITE_SUFFIX
    if not key.endswith(suffix):
        raise BackupError(f"O backup {key} não é de {'PostgreSQL' if engine == POSTGRES else 'SQLite'} (*{suffix}).")
    with _downloaded(key, storage) as path:
        if engine == POSTGRES:
            _run(["pg_restore", "--list", str(path)], target)
            if live:
                connections[alias].close()
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--exit-on-error",
                    *_pg_args(target),
                    str(path),
                ],
                target,
            )
            return
        source = sqlite3.connect(str(path))
        # Django's SQL functions, which CHECK constraints (e.g. `month__day=1`) call while they are checked.
        register_django_functions(source)
        try:
            try:
                check = source.execute("PRAGMA integrity_check").fetchone()
            except sqlite3.DatabaseError as error:
                raise BackupError(f"O arquivo {key} não é um banco SQLite: {error}.") from None
            if not check or check[0] != "ok":
                raise BackupError(f"O arquivo {key} não é um banco SQLite íntegro: {check}.")
            if live:
                connections[alias].ensure_connection()
                source.backup(connections[alias].connection)
            else:
                destination = sqlite3.connect(str(target["NAME"]))
                try:
                    source.backup(destination)
                finally:
                    destination.close()
        finally:
            source.close()


def backups_prune(
    *, keep_days: int | None = None, storage: Storage | None = None, now: datetime.datetime | None = None
) -> list[str]:
    """Deletes the backups older than BACKUP_KEEP_DAYS (0 keeps all); never the newest one."""
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    storage = storage or default_storage
    if keep_days <= 0:
        return []
    try:
        _folders, names = storage.listdir(BACKUP_PREFIX.rstrip("/"))
    except FileNotFoundError:
        return []
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    dated = []
    for name in names:
        stamp = name.rsplit("-", 1)[-1].split(".", 1)[0]
        try:
            when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        except ValueError:
            continue  # not one of ours
        dated.append((when, name))
    dated.sort()
    deleted = []
    for when, name in dated[:-1]:
        if when < cutoff:
            storage.delete(BACKUP_PREFIX + name)
            deleted.append(BACKUP_PREFIX + name)
    return deleted
