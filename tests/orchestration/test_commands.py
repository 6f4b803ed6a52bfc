"""The commands `make run` runs: ensure_admin, load_demo, print_urls, and the simulators process."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from packaging.requirements import Requirement

from orchestration.models import Execution, ExecutionStatus, Role, User
from orchestration.registries.kinds import kind_get
from orchestration.services.demo_data import DEMO_PASSWORD, DEMO_USERS
from tests.conftest import free_port
from tests.fakes.server import FakeResponse, FakeServer
from tests.fakes.simulators import SIMULATORS
from tests.harness.processes import PROJECT_DIR, wait_until

PASSWORD_LINE = re.compile(r"^Senha gerada: (\S+)$", re.MULTILINE)


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- ensure_admin -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_admin_gets_a_generated_password_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)

    first = run("ensure_admin")
    second = run("ensure_admin")

    [password] = PASSWORD_LINE.findall(first)
    admin = User.objects.get(email="admin@orquestra.local")
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert "Administrador já existe: admin@orquestra.local" in second
    assert password not in second
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_admin_email_and_password_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORQUESTRA_ADMIN_EMAIL", "chefe@empresa.com.br")
    monkeypatch.setenv("ORQUESTRA_ADMIN_PASSWORD", "uma-senha-escolhida")

    output = run("ensure_admin")

    assert "uma-senha-escolhida" not in output
    assert not PASSWORD_LINE.search(output)
    assert User.objects.get(email="chefe@empresa.com.br").check_password("uma-senha-escolhida")


@pytest.mark.django_db
def test_an_existing_active_admin_means_nothing_is_created(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)
    existing = make_user(Role.ADMINISTRATOR, email="dona@empresa.com.br")

    output = run("ensure_admin")

    assert f"Administrador já existe: {existing.email}" in output
    assert not User.objects.filter(email="admin@orquestra.local").exists()


@pytest.mark.django_db
def test_an_inactive_admin_does_not_count(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ORQUESTRA_ADMIN_PASSWORD", raising=False)
    former = make_user(Role.ADMINISTRATOR, email="ex@empresa.com.br")
    former.is_active = False
    former.save()

    output = run("ensure_admin")

    assert PASSWORD_LINE.search(output)
    assert User.objects.get(email="admin@orquestra.local").is_active


@pytest.mark.django_db
def test_admin_email_taken_by_a_non_admin_is_a_clear_error(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ORQUESTRA_ADMIN_EMAIL", raising=False)
    make_user(Role.OPERATOR, email="admin@orquestra.local")

    with pytest.raises(CommandError, match="ORQUESTRA_ADMIN_EMAIL"):
        run("ensure_admin")
    assert not User.objects.filter(role=Role.ADMINISTRATOR).exists()


# --- load_demo ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_data_has_one_user_per_role_and_only_real_runs_of_registered_kinds(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks() as handed_to_worker:
        output = run("load_demo")

    for role, email, _name in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.role == role and user.check_password(DEMO_PASSWORD)
        assert email in output
    assert DEMO_PASSWORD in output
    executions = list(Execution.objects.all())
    # Every app's demo history is real runs of its own jobs, queued for the worker; nothing is made up.
    assert executions
    assert {execution.status for execution in executions} == {ExecutionStatus.QUEUED}
    assert all(kind_get(execution.kind) is not None for execution in executions)
    assert not any(execution.log_lines.exists() for execution in executions)
    assert len(handed_to_worker) == len(executions)


@pytest.mark.django_db
def test_loading_demo_data_twice_adds_nothing_and_prints_no_password() -> None:
    run("load_demo")
    users, executions = User.objects.count(), Execution.objects.count()

    second = run("load_demo")

    assert (User.objects.count(), Execution.objects.count()) == (users, executions)
    assert DEMO_PASSWORD not in second


@pytest.mark.django_db
@override_settings(DEMO_DATA=False)
def test_demo_data_off_writes_nothing() -> None:
    output = run("load_demo")

    assert "DEMO_DATA=0" in output
    assert not User.objects.exists() and not Execution.objects.exists()


def test_demo_data_is_refused_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7Qp3vL9sK2mN8rT4wY6zA1bC5dE0fGh",
        "FIELD_ENCRYPTION_KEYS": "n5y0tSYGrjy6ZhBeIuWLuXhFqB0h1ZZfA6yYsh0cjvo=",
        # Production refuses to start without its services; the command stops before reaching any of them.
        "DATABASE_URL": "postgres://orquestra:password@127.0.0.1:1/orquestra",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/1",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "ORQUESTRA_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "load_demo"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "Dados de demonstração não são carregados com as configurações de produção" in done.stderr


# --- print_urls ---------------------------------------------------------------------------------------------


def test_print_urls_lists_the_pages_and_the_running_simulators(tmp_path: Path) -> None:
    (tmp_path / "simulators.json").write_text(json.dumps({"movidesk": "http://127.0.0.1:9101"}))
    with override_settings(DEMO_SIMULATORS=True, VAR_DIR=tmp_path):
        output = run("print_urls", "--port", "8765")

    for url in ("/", "/admin/", "/api/docs/", "/api/schema/", "/healthz"):
        assert f"http://127.0.0.1:8765{url}\n" in output
    assert re.search(r"simulator movidesk\s+http://127\.0\.0\.1:9101", output)


@pytest.mark.e2e
def test_print_urls_wait_prints_once_the_web_answers_and_stays_up_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ORQUESTRA_VAR_DIR": str(tmp_path), "DEMO_SIMULATORS": "0", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "print_urls", "--wait", "--port", str(port)],
        cwd=PROJECT_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Nothing listens yet: the command waits. Then a server answers (503 counts: the web is up).
        with FakeServer(lambda request: FakeResponse.json({"status": "fail"}, status=503), port=port):
            assert process.stdout is not None
            assert "Orquestra está no ar" in process.stdout.readline()
            assert process.poll() is None
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- the simulators process (tests/fakes/serve.py) ----------------------------------------------------------


@pytest.mark.e2e
def test_serve_starts_every_simulator_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    ports = {simulator.port_setting: str(free_port()) for simulator in SIMULATORS}
    env = {**os.environ, **ports, "ORQUESTRA_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.serve"], cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in SIMULATORS or [None]]
        state = wait_until(lambda: (tmp_path / "simulators.json").exists(), timeout=10, what="the state file")
        assert state
        urls = json.loads((tmp_path / "simulators.json").read_text())
        assert set(urls) == {simulator.name for simulator in SIMULATORS}
        for simulator in SIMULATORS:
            url = f"http://127.0.0.1:{ports[simulator.port_setting]}"
            assert urls[simulator.name] == url
            assert any(url in line for line in lines)
            connection = http.client.HTTPConnection("127.0.0.1", int(ports[simulator.port_setting]), timeout=5)
            connection.request("GET", "/")
            assert connection.getresponse().status > 0
            connection.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not (tmp_path / "simulators.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.e2e
def test_serve_with_no_simulator_registered_stays_up_until_sigint(tmp_path: Path) -> None:
    code = "import sys; from tests.fakes import serve; serve.SIMULATORS.clear(); sys.exit(serve.main())"
    env = {**os.environ, "ORQUESTRA_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert "none registered" in process.stdout.readline()
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _requirement_closure(requirements_file: Path) -> set[str]:
    """Distributions a requirements file installs: its `-r` includes and every dependency, extras included."""
    pending: list[Requirement] = []
    for line in requirements_file.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r"):
            pending += [Requirement(name) for name in _requirement_closure(requirements_file.parent / line[2:].strip())]
        elif line:
            pending.append(Requirement(line))
    seen: set[tuple[str, str]] = set()
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        extras = {"", *requirement.extras}
        if all((name, extra) in seen for extra in extras):
            continue
        seen.update((name, extra) for extra in extras)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for spec in map(Requirement, requires):
            if spec.marker is None or any(spec.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(spec)
    return {name for name, _extra in seen}


# What `make run` and the production image load; both install requirements/base.txt only, not dev.txt.
RUNTIME_IMPORTS = {
    "simulators process": "import tests.fakes.serve",
    "web, worker, beat": (
        "import django; django.setup(); import config.asgi; from django.urls import get_resolver; "
        "get_resolver().url_patterns; from config.celery import app; app.loader.import_default_modules(); "
        "import kombu.transport.redis, kombu.transport.filesystem, uvicorn, gunicorn, psycopg, storages.backends.s3"
    ),
}
# Makes the dev-only packages look uninstalled: optional imports (try/except ImportError) fall back as they
# would in a base-only virtual environment, and a hard import fails.
HIDE_DEV_PACKAGES = """
import json, os, sys
class _Hidden:
    blocked = set(json.loads(os.environ["HIDDEN_MODULES"]))
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (requirements/dev.txt only)", name=name)
sys.meta_path.insert(0, _Hidden())
"""


@pytest.mark.parametrize("what", sorted(RUNTIME_IMPORTS))
def test_runtime_needs_only_the_base_requirements(what: str, tmp_path: Path) -> None:
    requirements = PROJECT_DIR / "requirements"
    dev_only = _requirement_closure(requirements / "dev.txt") - _requirement_closure(requirements / "base.txt")
    hidden = sorted(
        module
        for module, dists in packages_distributions().items()
        if any(dist.lower().replace("_", "-") in dev_only for dist in dists)
    )
    assert "pytest" in hidden
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "ORQUESTRA_VAR_DIR": str(tmp_path),
        "HIDDEN_MODULES": json.dumps(hidden),
    }
    done = subprocess.run(
        [sys.executable, "-c", HIDE_DEV_PACKAGES + RUNTIME_IMPORTS[what]],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{what} needs a package only requirements/dev.txt installs:\n{done.stderr}"
