"""Time `make run` from a fresh copy of the repository to the first page answering 200.

    .venv/bin/python bench/make_run_time.py                 # git clone of this repository's HEAD
    .venv/bin/python bench/make_run_time.py --copy          # the working tree as it is (uncommitted too)
    .venv/bin/python bench/make_run_time.py --no-pip-cache  # pip without its cache (PIP_NO_CACHE_DIR=1)

Starts `make run` in a temporary directory on PORT (default 8765), records when the admin login page and
/healthz first answer 200, then presses Ctrl-C (SIGINT to make's process group, as a terminal does) and
checks that no process started from the copy is left. Prints one line per figure; exit 1 on failure.
Needs only python3, make and git; uses no project imports, so any Python 3.11 runs it.
"""

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Lines make prints when a step starts: the end of the install, the end of the database/admin/demo setup.
PHASES = [("venv + pip install done", b"manage.py migrate"), ("setup done, honcho starting", b"honcho start")]


def status_of(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


def processes_under(directory: Path) -> list[str]:
    """Processes whose working directory or command line is inside `directory` (our leftovers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if cwd.startswith(str(directory)) or str(directory) in cmdline:
            found.append(f"{entry.name} {cmdline}")
    return found


def prepare(target: Path, copy: bool) -> None:
    if copy:
        subprocess.run(
            ["rsync", "-a", "--exclude", ".venv", "--exclude", "var", "--exclude", ".git", f"{REPO}/", f"{target}/"],
            check=True,
        )
    else:
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--copy", action="store_true", help="rsync the working tree instead of git clone")
    parser.add_argument("--no-pip-cache", action="store_true")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--healthz-grace", type=float, default=90, help="seconds to wait for /healthz after login")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    if status_of(args.port, "/"):
        print(f"port {args.port} is already answering; choose another with --port", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="orquestra-make-run-"))
    checkout = workdir / "orquestra"
    prepare(checkout, args.copy)
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")}
    env.update({"PORT": str(args.port), "ORQUESTRA_VAR_DIR": str(checkout / "var"), "PYTHONUNBUFFERED": "1"})
    if args.no_pip_cache:
        env["PIP_NO_CACHE_DIR"] = "1"
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "REQUIRE_SERVICES"):
        env.pop(name, None)  # the embedded defaults are what a newcomer gets

    log_path = workdir / "make-run.log"
    figures: dict[str, float] = {}
    started = time.monotonic()
    with log_path.open("wb") as log:
        # Its own session, so that SIGINT to the group reaches make and honcho the way Ctrl-C does.
        make = subprocess.Popen(["make", "run"], cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        try:
            while time.monotonic() - started < args.timeout and make.poll() is None:
                output = log_path.read_bytes()
                for label, marker in PHASES:
                    if label not in figures and marker in output:
                        figures[label] = time.monotonic() - started
                for label, path in (("admin login 200", "/admin/login/"), ("healthz 200", "/healthz")):
                    if label not in figures and status_of(args.port, path) == 200:
                        figures[label] = time.monotonic() - started
                if "admin login 200" in figures and "healthz 200" in figures:
                    break
                login = figures.get("admin login 200")
                if login is not None and time.monotonic() - started > login + args.healthz_grace:
                    break
                time.sleep(0.2)
        finally:
            interrupted = time.monotonic()
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGINT)
            try:
                make.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
    stop_seconds = time.monotonic() - interrupted
    time.sleep(1)
    leftovers = processes_under(checkout)

    source = "working tree (rsync)" if args.copy else "git clone"
    pip = "pip cache disabled" if args.no_pip_cache else "pip cache as configured"
    print(f"make run from a fresh {source}, {pip}, port {args.port}")
    for label in [label for label, _marker in PHASES] + ["admin login 200", "healthz 200"]:
        value = figures.get(label)
        print(f"  {label}: " + (f"{value:.1f} s" if value is not None else "never (see log)"))
    print(f"  stopped by SIGINT in {stop_seconds:.1f} s; processes left: {len(leftovers)}")
    for line in leftovers:
        print(f"    {line}")
        os.kill(int(line.split()[0]), signal.SIGKILL)  # ours: they run from the temporary copy
    ok = "admin login 200" in figures and not leftovers
    if not ok or args.keep:
        print(f"  log: {log_path}")
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
