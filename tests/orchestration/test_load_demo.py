"""`manage.py load_demo`: one user per role and each app's demo history, real runs only."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from orchestration.models import Execution, ExecutionStatus, User
from orchestration.registries.kinds import kind_get
from orchestration.services.demo_data import DEMO_PASSWORD, DEMO_USERS
from tests.harness.processes import PROJECT_DIR


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


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
