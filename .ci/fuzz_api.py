"""The API fuzzer: schemathesis over our own OpenAPI schema, against a live server, as two roles.

    .venv/bin/python .ci/fuzz_api.py [--seconds 75]

A fresh PostgreSQL database (`<DATABASE_URL's database>_fuzz`, dropped and created here; SQLite in a
temporary folder without DATABASE_URL), an ASGI server on a free port, one administrator and one operator
with API tokens, then `schemathesis run` once per token with the checks for server errors and for
responses that break the schema, on every operation the schema lists (new endpoints are covered without
editing this file). Exit status 1 when any check failed. The last line is the summary.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
CASES = re.compile(r"^\s*(\d+) generated(.*)$", re.MULTILINE)
TESTED = re.compile(r"^\s*Tested: (\d+)", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fuzz_database_url(workdir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'orquestra'}_fuzz"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def fuzz_redis_url() -> str | None:
    """REDIS_URL's server on database 15, emptied: the fuzzer's thousands of logins must not leave failure
    counters and throttle histories in the database the test suite uses."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    import redis

    parts = urlsplit(url)
    fuzz_url = urlunsplit((parts.scheme, parts.netloc, "/15", "", ""))
    client = redis.Redis.from_url(fuzz_url)
    try:
        client.flushdb()
    finally:
        client.close()
    return fuzz_url


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


SETUP_USERS = """
from rest_framework.authtoken.models import Token
from orchestration.models import Role, User
for role in (Role.ADMINISTRATOR, Role.OPERATOR):
    email = f"fuzz.{role.lower()}@orquestra.local"
    user = User.objects.create_user(email, "fuzz-s3nha-forte!", name=f"Fuzz {role}", role=role)
    print("TOKEN", role, Token.objects.create(user=user).key)
"""


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def fuzz(base: str, role: str, token: str, seconds: int, report: Path) -> tuple[int, str]:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/schema/?format=json",
        "--url",
        base,
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--max-time",
        str(seconds),
        # One worker: with two threads, CPython 3.11.7's compiler can fail inside schemathesis with
        # "SystemError: AST constructor recursion depth mismatch" (a CPython 3.11 bug in the AST recursion check),
        # a crash of the tool that would read as a failure of the API.
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--seed",
        os.environ.get("FUZZ_SEED", "20261202"),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    print(f"--- schemathesis as {role} ({seconds} s) ---", flush=True)
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    print(done.stdout[-20000:], done.stderr[-5000:], sep="\n", flush=True)
    return done.returncode, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "75")))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="orquestra-fuzz-") as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": fuzz_database_url(workdir),
            "ORQUESTRA_VAR_DIR": str(workdir / "var"),
            "DEBUG": "0",
            "DEMO_SIMULATORS": "0",
            "PYTHONUNBUFFERED": "1",
            # The fuzzer sends thousands of login attempts from one address; the throttles are tested elsewhere.
            "LOGIN_THROTTLE_RATE": "100000/min",
            "LOGIN_FAILURE_LIMIT": "100000",
            "LOGIN_FAILURE_IP_LIMIT": "100000",
        }
        env.pop("CELERY_BROKER_URL", None)
        redis_url = fuzz_redis_url()
        if redis_url:
            env["REDIS_URL"] = redis_url
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        output = manage(env, "shell", "-c", SETUP_USERS)
        tokens = {parts[1]: parts[2] for line in output.splitlines() if (parts := line.split())[:1] == ["TOKEN"]}

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (workdir / "server.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        results: list[tuple[str, int, str]] = []
        try:
            wait_ready(f"{base}/api/schema/")
            for role in ("OPERATOR", "ADMINISTRATOR"):
                code, output = fuzz(base, role, tokens[role], args.seconds, workdir / f"{role}.xml")
                results.append((role, code, output))
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
            errors = [line for line in (workdir / "server.log").read_text().splitlines() if "Traceback" in line]
            if errors:
                print((workdir / "server.log").read_text()[-8000:])

    failed = [role for role, code, _output in results if code != 0]
    total_cases = 0
    for role, code, output in results:
        cases, tested = CASES.search(output), TESTED.search(output)
        total_cases += int(cases[1]) if cases else 0
        counts = f"{cases[1]} cases{cases[2]}" if cases else "no case count"
        print(f"{role}: {tested[1] if tested else '?'} operations, {counts}, exit {code}")
    print(
        f"fuzz: {total_cases} cases over {len(results)} roles, {len(failed)} role(s) with failures"
        + (f" ({', '.join(failed)})" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
