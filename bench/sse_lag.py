"""SSE delivery lag: how long a log line takes from its write to 100 live viewers of one uvicorn process.

    .venv/bin/python bench/sse_lag.py                                  # temporary SQLite database
    .venv/bin/python bench/sse_lag.py --viewers 100 --lines 300 --interval 0.02
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orquestra_bench .venv/bin/python bench/sse_lag.py

Starts `uvicorn config.asgi:application` (one process) on a free port against a temporary SQLite file
(or DATABASE_URL, migrated first), opens N viewers of one running execution with httpx, then writes
lines through the service API (`execution_log`) from this process, one every `--interval` seconds,
and finishes the execution. The lag of a line at a viewer is the time from the return of its write
(committed) to its arrival there. Prints the median, 95th percentile and worst lag over all
(viewer, line) pairs, and the server's thread count while all viewers were connected.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between two writes")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    import httpx

    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
        + ["--lifespan", "off", "--no-access-log", "--timeout-graceful-shutdown", "2"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("uvicorn did not start in 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


async def watch(url: str, headers: dict[str, str], viewers: int, connected: threading.Event) -> list[dict[int, float]]:
    """Each viewer's arrival time (time.time()) of every line id, until the end event."""
    import httpx

    ready = asyncio.Semaphore(0)

    async def viewer(client: httpx.AsyncClient) -> dict[int, float]:
        arrivals: dict[int, float] = {}
        buffer = ""
        async with client.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            async for chunk in response.aiter_text():
                now = time.time()
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    if ": connected" in block:
                        ready.release()
                    if "event: end" in block:
                        return arrivals
                    if "event: log" in block:
                        data = next(line[6:] for line in block.split("\n") if line.startswith("data: "))
                        arrivals[json.loads(data)["id"]] = now
        raise RuntimeError("stream closed before its end event")

    limits = httpx.Limits(max_connections=viewers + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        tasks = [asyncio.create_task(viewer(client)) for _ in range(viewers)]
        for _ in range(viewers):
            await asyncio.wait_for(ready.acquire(), timeout=60)
        connected.set()
        return list(await asyncio.gather(*tasks))


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="orquestra-sse-bench-"))
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "ORQUESTRA_VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DEBUG": "0",
            "DEMO_SIMULATORS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    os.environ.update(env)

    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from orchestration.models import Role, User
    from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.create_user(f"bench-{time.time_ns()}@example.com", None, name="Bench", role=Role.OPERATOR)
    token = Token.objects.create(user=user).key
    execution = execution_start(execution=execution_create(kind="BENCH_SSE"))

    port = free_port()
    server = start_server(env, port, workdir / "uvicorn.log")
    results: list[list[dict[int, float]]] = []
    failures: list[BaseException] = []
    connected = threading.Event()
    url = f"http://127.0.0.1:{port}/api/v1/executions/{execution.pk}/stream"

    def run_viewers() -> None:
        try:
            results.append(asyncio.run(watch(url, {"Authorization": f"Token {token}"}, args.viewers, connected)))
        except BaseException as error:  # reported below
            failures.append(error)
            connected.set()

    try:
        viewers_thread = threading.Thread(target=run_viewers)
        viewers_thread.start()
        if not connected.wait(timeout=90) or failures:
            raise SystemExit(f"viewers did not connect: {failures}")
        threads = thread_count(server.pid)
        written: dict[int, float] = {}
        for number in range(args.lines):
            line = execution_log(execution=execution, message=f"linha {number} de {args.lines}")
            written[line.id] = time.time()
            time.sleep(args.interval)
        execution_succeed(execution=execution)
        viewers_thread.join(timeout=120)
        if failures or not results:
            raise SystemExit(f"viewers failed: {failures}")
    finally:
        stop_server(server)

    lags = []
    missing = 0
    for arrivals in results[0]:
        for line_id, at in written.items():
            if line_id in arrivals:
                lags.append(arrivals[line_id] - at)
            else:
                missing += 1
    lags.sort()
    p95 = lags[int(len(lags) * 0.95) - 1]
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    from django.conf import settings

    print(
        f"SSE lag, {args.viewers} viewers x {args.lines} lines on one uvicorn process ({database}, "
        f"poll {settings.LIVE_LOG_POLL_SECONDS:g} s, a line every {args.interval:g} s):"
    )
    print(f"  median {statistics.median(lags) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, worst {lags[-1] * 1000:.0f} ms")
    print(f"  deliveries {len(lags)}, missing {missing}; server threads with all viewers connected: {threads}")
    if missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
