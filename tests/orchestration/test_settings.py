"""Settings from the environment, checked in fresh interpreters: what a process really gets at start-up."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.harness.processes import PROJECT_DIR

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


# Everything production needs; nothing here is contacted by the tests (ports nobody listens on).
PRODUCTION = {
    "SECRET_KEY": REAL_SECRET,
    "FIELD_ENCRYPTION_KEYS": "n5y0tSYGrjy6ZhBeIuWLuXhFqB0h1ZZfA6yYsh0cjvo=",
    "DATABASE_URL": "postgres://orquestra:password@127.0.0.1:1/orquestra",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/1",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "ALLOWED_HOSTS": "orquestra.example.com,.example.org,*",
}

HTTPS_FACTS = """
import json, django
django.setup()
from django.conf import settings
names = ["DEBUG", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "CSRF_TRUSTED_ORIGINS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def _production(
    tmp_path: Path, code: str = "import django; django.setup()", **env: str
) -> subprocess.CompletedProcess[str]:
    return _python(code, "config.settings.production", tmp_path, **{**PRODUCTION, **env})


def test_production_starts_with_secrets_and_services(tmp_path: Path) -> None:
    done = _production(
        tmp_path,
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        FIELD_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "", "DATABASE_URL must be set in production to a PostgreSQL database"),
        ("DATABASE_URL", "sqlite:///var/db.sqlite3", "DATABASE_URL must point to PostgreSQL in production"),
        ("DATABASE_URL", "mysql://u:p@127.0.0.1:3306/o", "DATABASE_URL must point to PostgreSQL in production"),
        ("CELERY_BROKER_URL", "", "CELERY_BROKER_URL must be set in production to a real broker"),
        ("CELERY_BROKER_URL", "filesystem://", "CELERY_BROKER_URL must be a real broker in production"),
        ("CELERY_BROKER_URL", "memory://", "CELERY_BROKER_URL must be a real broker in production"),
        ("REDIS_URL", "", "REDIS_URL must be set in production"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL must be a redis://, rediss:// or unix:// URL"),
    ],
)
def test_production_refuses_to_start_half_configured(tmp_path: Path, variable: str, value: str, message: str) -> None:
    done = _production(tmp_path, **{variable: value})

    assert done.returncode != 0
    assert f"ImproperlyConfigured: {message}" in done.stderr


def test_https_behind_a_proxy_is_the_production_default(tmp_path: Path) -> None:
    done = _production(tmp_path, HTTPS_FACTS)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)

    assert facts["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert facts["SECURE_SSL_REDIRECT"] is True
    assert facts["SECURE_HSTS_SECONDS"] > 0
    assert facts["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and facts["SECURE_HSTS_PRELOAD"] is True
    assert facts["SESSION_COOKIE_SECURE"] is True and facts["CSRF_COOKIE_SECURE"] is True
    # Derived from ALLOWED_HOSTS: a leading dot means the subdomains too; "*" names no origin.
    assert facts["CSRF_TRUSTED_ORIGINS"] == ["https://orquestra.example.com", "https://*.example.org"]


def test_https_settings_come_from_the_environment(tmp_path: Path) -> None:
    done = _production(
        tmp_path,
        HTTPS_FACTS,
        CSRF_TRUSTED_ORIGINS="https://painel.example.com",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)

    assert facts["CSRF_TRUSTED_ORIGINS"] == ["https://painel.example.com"]
    assert facts["SECURE_HSTS_SECONDS"] == 31536000
    assert facts["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and facts["SECURE_HSTS_PRELOAD"] is False


def test_https_behind_proxy_off_serves_plain_http(tmp_path: Path) -> None:
    done = _production(tmp_path, HTTPS_FACTS, HTTPS_BEHIND_PROXY="false")
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)

    assert facts["SECURE_PROXY_SSL_HEADER"] is None  # X-Forwarded-Proto is not trusted without a proxy
    assert facts["SECURE_SSL_REDIRECT"] is False and facts["SECURE_HSTS_SECONDS"] == 0
    assert facts["SESSION_COOKIE_SECURE"] is False and facts["CSRF_COOKIE_SECURE"] is False
    assert facts["CSRF_TRUSTED_ORIGINS"] == []


REDIRECTS = """
import json, django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
factory = RequestFactory(HTTP_HOST="orquestra.example.com")
def status(path, **headers):
    return middleware(factory.get(path, **headers)).status_code
print(json.dumps({"http": status("/admin/"), "proxied_https": status("/admin/", HTTP_X_FORWARDED_PROTO="https"),
                  "healthz": status("/healthz")}))
"""


def test_plain_http_is_redirected_except_healthz(tmp_path: Path) -> None:
    done = _production(tmp_path, REDIRECTS)
    assert done.returncode == 0, done.stderr

    # /healthz stays reachable over plain HTTP for the container's health check and load balancers.
    assert json.loads(done.stdout) == {"http": 301, "proxied_https": 200, "healthz": 200}


def test_production_passes_the_deployment_checks(tmp_path: Path) -> None:
    code = (
        "import sys; from django.core.management import execute_from_command_line; execute_from_command_line(sys.argv)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}},
            **PRODUCTION,
            "SECRET_KEY": "Zq8vN3xK7pL2mR9tW4yB6cF1hJ5dG0sAeUiOoPaLkMnBvCxZ1234567890",  # check --deploy wants 50
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "ORQUESTRA_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


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
