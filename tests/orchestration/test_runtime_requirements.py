"""web, worker and beat import only what requirements/base.txt installs."""

import json
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from packaging.requirements import Requirement

from tests.harness.processes import PROJECT_DIR


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


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
