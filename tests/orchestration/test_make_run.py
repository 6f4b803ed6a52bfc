"""`make run`, end to end: the setup steps, then web + worker + beat + simulators under honcho, then Ctrl-C.

Runs `make prepare` and `make serve` (the two halves of `make run` after the install check) from the
project directory, on the embedded defaults (SQLite, file-system broker) in a temporary ORQUESTRA_VAR_DIR
and on a free port, whatever services the surrounding test run uses. The virtual environment is the one
running this test (`VENV=` for make), so a fresh clone needs no `.venv` of its own; outside a virtual
environment with the requirements, `make deps` installs `.venv` first.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port
from tests.fakes.simulators import SIMULATORS
from tests.harness.processes import PROJECT_DIR, wait_until

pytestmark = pytest.mark.e2e  # starts processes; `make test-fast` skips it

PASSWORD_LINE = re.compile(r"^Senha gerada: (\S+)$", re.MULTILINE)


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=2, allow_redirects=False).status_code
    except requests.RequestException:
        return 0


def _process_tree(root: int) -> set[int]:
    """`root` and every descendant, from /proc (honcho puts each process type in its own session)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, stack = set(), [root]
    while stack:
        pid = stack.pop()
        tree.add(pid)
        stack.extend(children.get(pid, []))
    return tree


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PORT", "VENV"}
        and not key.startswith(("ORQUESTRA_ADMIN_", "MAKE", "MFLAGS"))
    }
    env.update(
        {
            "ORQUESTRA_VAR_DIR": str(tmp_path / "var"),
            "PORT": str(free_port()),
            "PYTHONUNBUFFERED": "1",
            "DEMO_SIMULATORS": "1",
            "DEMO_DATA": "1",
        }
    )
    # Every simulator on a free port, so this test never collides with a `make run` on the defaults.
    env.update({simulator.port_setting: str(free_port()) for simulator in SIMULATORS})
    venv = _running_venv()
    if venv is None:
        _make("deps", env)  # `.venv` from requirements/base.txt, as `make run` would create it
    else:
        env["VENV"] = str(venv)
    return env


def _finished_executions(base: str, token: str, kind: str) -> list[dict]:
    response = requests.get(
        f"{base}/api/v1/executions/",
        params={"kind": kind, "status": ["SUCCEEDED", "PARTIAL", "FAILED"]},
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    return response.json()["results"]


def _running_venv() -> Path | None:
    """The virtual environment of this interpreter, when it has what `make prepare`/`serve` run."""
    if sys.prefix == sys.base_prefix:
        return None
    venv = Path(sys.prefix)
    return venv if all((venv / "bin" / name).exists() for name in ("python", "honcho", "celery")) else None


def _make(target: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", target], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_make_run_serves_everything_and_ctrl_c_stops_every_process(run_env: dict[str, str], tmp_path: Path) -> None:
    first = _make("prepare", run_env)
    passwords = PASSWORD_LINE.findall(first)
    assert len(passwords) == 1, first
    second = _make("prepare", run_env)
    assert "Administrador já existe: admin@orquestra.local" in second
    assert not PASSWORD_LINE.search(second)
    assert passwords[0] not in second

    base = f"http://127.0.0.1:{run_env['PORT']}"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=PROJECT_DIR,
            env=run_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, like a terminal's foreground job
        )
    tree: set[int] = set()
    try:
        wait_until(lambda: _status(f"{base}/admin/login/") == 200, timeout=90, what="the admin login page")
        # 200 from /healthz needs the database, the broker and a heartbeat run by beat through the worker.
        wait_until(lambda: _status(f"{base}/healthz") == 200, timeout=90, what="/healthz 200")
        banner = wait_until(
            lambda: "Orquestra está no ar" in log_path.read_text() and log_path.read_text(),
            timeout=30,
            what="the URL banner",
        )
        for path in ("/admin/", "/api/docs/", "/api/schema/", "/healthz"):
            assert f"{base}{path}" in banner
        for simulator in SIMULATORS:
            assert f"http://127.0.0.1:{run_env[simulator.port_setting]}" in banner

        login = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"email": "admin@orquestra.local", "password": passwords[0]},
            timeout=10,
        )
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        executions = requests.get(
            f"{base}/api/v1/executions/", headers={"Authorization": f"Token {token}"}, timeout=10
        ).json()
        # The demo history is real runs: the worker ran the queued demo jobs against the simulators.
        demo_sync = wait_until(
            lambda: _finished_executions(base, token, "MOVIDESK_SYNC"), timeout=90, what="the demo Movidesk sync"
        )
        assert demo_sync[0]["status"] == "SUCCEEDED", demo_sync[0]
        assert demo_sync[0]["kind_display"] != "MOVIDESK_SYNC"
        kommo_sync = wait_until(
            lambda: _finished_executions(base, token, "KOMMO_SYNC"), timeout=90, what="the demo Kommo sync"
        )
        assert kommo_sync[0]["status"] == "SUCCEEDED", kommo_sync[0]
        assert executions["count"] >= 2

        time.sleep(1)  # let the worker's pool children settle before taking the process tree
        tree = _process_tree(make.pid)
        assert len(tree) >= 7, tree  # make, honcho, and at least web, worker, beat, simulators, urls
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(timeout=30)
        finally:
            leftovers = [pid for pid in tree if _alive(pid)]
            for pid in leftovers:
                os.kill(pid, signal.SIGKILL)
    assert leftovers == [], log_path.read_text()[-3000:]
    output = log_path.read_text()
    assert "SIGINT received" in output
    assert _status(f"{base}/healthz") == 0
