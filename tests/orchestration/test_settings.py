"""Settings from the environment, checked in fresh interpreters: what a process really gets at start-up."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.orchestration.processes import PROJECT_DIR

REAL_SECRET = "x7Qp3vL9sK2mN8rT4wY6zA1bC5dE0fGh"  # 32 characters, not the local default

FACTS = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
facts = {"broker": settings.CELERY_BROKER_URL, "transport_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
         "storage": type(storages["default"]).__name__, "media_root": str(settings.MEDIA_ROOT),
         "time_zone": settings.TIME_ZONE, "use_tz": settings.USE_TZ, "language": settings.LANGUAGE_CODE,
         "languages": [code for code, _ in settings.LANGUAGES], "engine": settings.DATABASES["default"]["ENGINE"]}
if facts["engine"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        facts["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        facts["busy_timeout_ms"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps(facts))
"""


def _python(code: str, settings_module: str, var_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "AWS_STORAGE_BUCKET_NAME"}
    }
    # Empty rather than absent, so that a developer's .env cannot fill them in.
    base.update({"SECRET_KEY": "", "FIELD_ENCRYPTION_KEYS": ""})
    base.update({"DJANGO_SETTINGS_MODULE": settings_module, "ORQUESTRA_VAR_DIR": str(var_dir), **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=base, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    done = _python(
        "import django; django.setup()",
        "config.settings.production",
        tmp_path,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in done.stderr


@pytest.mark.parametrize("weak", ["orquestra-local-development-only-not-secret", "too-short"])
def test_production_refuses_a_weak_secret_key(tmp_path: Path, weak: str) -> None:
    done = _python(
        "import django; django.setup()",
        "config.settings.production",
        tmp_path,
        SECRET_KEY=weak,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path: Path) -> None:
    done = _python("import django; django.setup()", "config.settings.production", tmp_path, SECRET_KEY=REAL_SECRET)
    assert done.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS must list at least one Fernet key" in done.stderr


def test_production_starts_with_both_secrets(tmp_path: Path) -> None:
    done = _python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        "config.settings.production",
        tmp_path,
        SECRET_KEY=REAL_SECRET,
        FIELD_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_embedded_defaults_sqlite_wal_filesystem_broker_local_media(tmp_path: Path) -> None:
    done = _python(FACTS, "config.settings.local", tmp_path)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)

    assert facts["engine"] == "django.db.backends.sqlite3"
    assert facts["journal_mode"] == "wal"
    assert facts["busy_timeout_ms"] >= 5000  # concurrent writers wait instead of failing with "locked"
    assert facts["broker"] == "filesystem://"
    queue = Path(facts["transport_options"]["data_folder_in"])
    assert queue.is_dir() and queue.is_relative_to(tmp_path)
    assert facts["storage"] == "FileSystemStorage"
    assert Path(facts["media_root"]) == tmp_path / "media"
    assert (facts["time_zone"], facts["use_tz"], facts["language"]) == ("America/Sao_Paulo", True, "pt-br")
    assert "en" in facts["languages"]


def test_database_and_broker_urls_come_from_the_environment(tmp_path: Path) -> None:
    done = _python(
        FACTS,
        "config.settings.local",
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6399/9",
        AWS_STORAGE_BUCKET_NAME="orquestra-files",
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["broker"] == "redis://127.0.0.1:6399/9"
    assert "visibility_timeout" in facts["transport_options"]
    assert facts["storage"] == "S3Storage"
    assert (tmp_path / "other.sqlite3").exists()


def _variables_read_by_the_product() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_DIR / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r"\benv\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
        names |= set(re.findall(r"Env\(\)\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    for app in ("config", "orchestration", "integrations", "calendar_sync", "whatsapp_health"):
        for path in (PROJECT_DIR / app).rglob("*.py"):
            names |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_environment_variable_is_documented(document: str) -> None:
    names = _variables_read_by_the_product()
    assert {"SECRET_KEY", "DATABASE_URL", "ORQUESTRA_VAR_DIR", "ORQUESTRA_ADMIN_PASSWORD"} <= names
    text = (PROJECT_DIR / document).read_text()
    missing = sorted(name for name in names if not re.search(rf"\b{name}\b", text))
    assert missing == [], f"add to {document} (name, default, meaning): {', '.join(missing)}"


def test_every_production_process_defaults_to_the_production_settings() -> None:
    # A forgotten DJANGO_SETTINGS_MODULE must not start production on the local settings (DEBUG, dev keys).
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    for line in filter(None, procfile):
        name, command = line.split(":", 1)
        expanded = subprocess.run(["sh", "-c", f"echo {command}"], env=env, capture_output=True, text=True).stdout
        assert "DJANGO_SETTINGS_MODULE=config.settings.production" in expanded, name
