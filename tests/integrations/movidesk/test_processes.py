"""End to end with real processes: the web server (uvicorn), `celery worker` and `celery beat`, the
fake Movidesk on the wire. API and admin answer at once; a worker runs the sync; two at once → one
SKIPPED; an edit of the HH:MM list reaches a running beat without restarting it."""

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from integrations.movidesk.configuration import movidesk_settings_update
from integrations.movidesk.models import MovideskTicket
from integrations.movidesk.windows import local_today, window_automatic
from orchestration.models import Execution, ExecutionStatus, Role, Trigger, User
from tests.fakes.movidesk import DEFAULT_TOKEN, MovideskFake
from tests.fakes.server import FakeServer
from tests.harness.asgi_server import AsgiServer
from tests.harness.processes import (
    CeleryProcesses,
    redis_broker_env,
    redis_broker_purge,
    wait_until,
)
from tests.harness.schedule_probe import beat_reload_after, next_minute_with_margin

PASSWORD = "s3nha-forte!"


@pytest.fixture
def stack_env(subprocess_env: dict[str, str]) -> Iterator[tuple[dict[str, str], MovideskFake]]:
    """Subprocess environment pointing at a running fake; Redis as broker when REDIS_URL is set."""
    fake = MovideskFake()
    now = datetime.now(UTC)
    # Inside "yesterday and today" in local dates at any hour of the day (yesterday began at least 24 h ago).
    fake.generate(250, start=now - timedelta(hours=23), end=now - timedelta(minutes=5))
    with FakeServer(fake.handle) as server:
        env = {
            **subprocess_env,
            "MOVIDESK_BASE_URL": f"{server.url}/public/v1",
            "MOVIDESK_TOKEN": DEFAULT_TOKEN,
            "MOVIDESK_RATE_LIMIT_PER_MINUTE": "0",
        }
        if os.environ.get("REDIS_URL"):
            env = redis_broker_env(env)
            redis_broker_purge(env["CELERY_BROKER_URL"])
        yield env, fake


def finished(execution_id: int) -> Execution | None:
    execution = Execution.objects.get(pk=execution_id)
    return execution if execution.is_finished else None


def test_api_syncs_run_in_a_real_worker_and_never_overlap(
    stack_env: tuple[dict[str, str], MovideskFake], tmp_path: Path
) -> None:
    env, fake = stack_env
    fake.delay_seconds = 0.7  # three pages: a run long enough for the second request to meet it
    operator = User.objects.create_user("op@example.com", PASSWORD, name="Op", role=Role.OPERATOR)
    headers = {"Authorization": f"Token {Token.objects.create(user=operator).key}"}
    window = {"from": (local_today() - timedelta(days=2)).isoformat(), "to": local_today().isoformat()}

    with CeleryProcesses(env, tmp_path / "logs") as celery, AsgiServer(env, tmp_path / "logs") as web:
        celery.worker(concurrency=2)
        url = web.url("/api/v1/integrations/movidesk/sync")
        first = httpx.post(url, json=window, headers=headers, timeout=10)
        second = httpx.post(url, json=window, headers=headers, timeout=10)
        assert first.status_code == second.status_code == 202, first.text
        runs = [
            wait_until(lambda i=body["execution_id"]: finished(i), timeout=60, what="the sync")
            for body in (first.json(), second.json())
        ]

    by_status = {run.status: run for run in runs}
    assert set(by_status) == {ExecutionStatus.SUCCEEDED, ExecutionStatus.SKIPPED}, [r.error for r in runs]
    ran = by_status[ExecutionStatus.SUCCEEDED]
    assert ran.trigger == Trigger.API and ran.started_by == operator
    assert ran.counters == {"pages": 3, "new": 250, "updated": 0, "unchanged": 0, "total": 250}
    assert MovideskTicket.objects.count() == 250


def _csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def test_admin_sync_now_runs_in_a_real_worker(
    stack_env: tuple[dict[str, str], MovideskFake], tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    env, _fake = stack_env
    # The web process runs the local settings, which do not know the tests' fast MD5 hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    User.objects.create_user("op@example.com", PASSWORD, name="Op", role=Role.OPERATOR)

    with CeleryProcesses(env, tmp_path / "logs") as celery, AsgiServer(env, tmp_path / "logs") as web:
        celery.worker()
        browser = httpx.Client(base_url=web.base_url, timeout=10)
        login = browser.get("/admin/login/")
        logged = browser.post(
            "/admin/login/",
            data={"username": "op@example.com", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login)},
        )
        assert logged.status_code == 302, logged.text[-3000:]
        form = browser.get("/admin/integrations/movideskticket/sync/")
        assert form.status_code == 200, form.text[:500]
        today = local_today()
        response = browser.post(
            "/admin/integrations/movideskticket/sync/",
            data={
                "date_from": (today - timedelta(days=1)).isoformat(),
                "date_to": today.isoformat(),
                "csrfmiddlewaretoken": _csrf(form),
            },
        )
        assert response.status_code == 302, response.text[:500]
        execution_id = int(re.search(r"/execution/(\d+)/live/", response.headers["location"]).group(1))
        execution = wait_until(lambda: finished(execution_id), timeout=60, what="the sync")
        live = browser.get(response.headers["location"])

    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.trigger == Trigger.MANUAL
    assert live.status_code == 200
    assert MovideskTicket.objects.count() == 250


@pytest.mark.services
def test_an_edited_time_list_reaches_a_running_beat(
    stack_env: tuple[dict[str, str], MovideskFake], tmp_path: Path
) -> None:
    env, fake = stack_env
    admin = User.objects.create_user("adm@example.com", PASSWORD, name="Adm", role=Role.ADMINISTRATOR)
    headers = {"Authorization": f"Token {Token.objects.create(user=admin).key}"}
    far = timezone.localtime(timezone.now() + timedelta(hours=6)).strftime("%H:%M")
    movidesk_settings_update(sync_times=[far])

    with CeleryProcesses(env, tmp_path / "logs") as celery, AsgiServer(env, tmp_path / "logs") as web:
        celery.worker()
        beat = celery.beat()
        beat_pid = beat.pid
        target = next_minute_with_margin(12)  # the next whole minute, once everything is up
        local_target = timezone.localtime(target).strftime("%H:%M")
        edited_at = timezone.now()
        response = httpx.put(
            web.url("/api/v1/integrations/movidesk/settings"),
            json={"sync_times": [far, local_target]},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        reload_seconds = beat_reload_after(beat, edited_at)
        execution = wait_until(
            lambda: Execution.objects.filter(kind="MOVIDESK_SYNC", trigger=Trigger.SCHEDULE).first(),
            timeout=(target - timezone.now()).total_seconds() + 30,
            what="the scheduled sync",
        )
        execution = wait_until(lambda: finished(execution.pk), timeout=60, what="the scheduled sync to end")
        assert beat.running and beat.pid == beat_pid

    assert reload_seconds < 10
    assert execution.created_at >= target
    assert execution.status == ExecutionStatus.SUCCEEDED, execution.error
    assert execution.parameters == window_automatic().as_parameters()
    window = window_automatic()
    first_page = fake.list_requests()[0]
    assert first_page.query["$filter"] == (
        f"lastUpdate ge {window.start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} "
        f"and lastUpdate lt {window.end.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
    )
    assert execution.counters["total"] == 250
