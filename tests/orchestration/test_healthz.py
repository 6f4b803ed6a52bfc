"""/healthz: 200 when database, broker, Redis (if configured) and the heartbeat are fine, else 503."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from orchestration.models import Execution, ExecutionStatus
from orchestration.selectors.health import process_started_at
from orchestration.services.heartbeat import HEARTBEAT_KIND
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def heartbeat_at(moment: timezone.datetime, status: str = ExecutionStatus.SUCCEEDED) -> Execution:
    execution = Execution.objects.create(kind=HEARTBEAT_KIND, status=status)
    # created_at is auto_now_add: set the past with an update.
    Execution.objects.filter(pk=execution.pk).update(created_at=moment, started_at=moment, finished_at=moment)
    return execution


def test_everything_reachable_and_a_fresh_heartbeat_answer_200(client: Client) -> None:
    heartbeat_at(timezone.now() - timedelta(seconds=30))

    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "redis", "heartbeat"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    heartbeat = body["checks"]["heartbeat"]
    assert heartbeat["ok"] is True and heartbeat["counted_from"] == "heartbeat"
    assert 29 <= heartbeat["age_seconds"] < 60
    assert heartbeat["max_age_seconds"] == 180
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_needs_no_login_and_only_answers_reads(client: Client) -> None:
    heartbeat_at(timezone.now())
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_an_unreachable_broker_answers_503_without_revealing_its_address(client: Client) -> None:
    heartbeat_at(timezone.now())
    port = free_port()  # nothing listens there
    with override_settings(CELERY_BROKER_URL=f"redis://:broker-secret@127.0.0.1:{port}/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["transport"] == "redis"
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert "broker-secret" not in response.content.decode() and str(port) not in response.content.decode()


def test_a_missing_filesystem_broker_folder_answers_503(client: Client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    heartbeat_at(timezone.now())
    missing = str(tmp_path / "no-such-folder")
    options = {"data_folder_in": missing, "data_folder_out": missing}
    with override_settings(CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "error": "NotADirectoryError",
        "latency_ms": response.json()["checks"]["broker"]["latency_ms"],
        "transport": "filesystem",
    }
    assert missing not in response.content.decode()


def test_an_unreachable_redis_answers_503_without_revealing_its_password(client: Client) -> None:
    heartbeat_at(timezone.now())
    with override_settings(REDIS_URL=f"redis://:redis-secret@127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    redis_check = response.json()["checks"]["redis"]
    assert redis_check["ok"] is False and redis_check["configured"] is True
    assert "redis-secret" not in response.content.decode()


def test_without_redis_configured_redis_is_not_checked(client: Client) -> None:
    heartbeat_at(timezone.now())
    with override_settings(REDIS_URL=""):
        response = client.get("/healthz")
    assert response.json()["checks"]["redis"] == {"ok": True, "configured": False}


def test_a_heartbeat_older_than_three_minutes_answers_503(client: Client) -> None:
    heartbeat_at(timezone.now() - timedelta(minutes=3, seconds=5))

    response = client.get("/healthz")

    assert response.status_code == 503
    heartbeat = response.json()["checks"]["heartbeat"]
    assert heartbeat["ok"] is False
    assert heartbeat["age_seconds"] >= 185
    assert heartbeat["last_at"] is not None


def test_only_a_succeeded_heartbeat_counts(client: Client) -> None:
    heartbeat_at(timezone.now() - timedelta(minutes=10))
    heartbeat_at(timezone.now(), status=ExecutionStatus.FAILED)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"]["age_seconds"] >= 600


def test_no_heartbeat_yet_is_fine_for_three_minutes_after_start_up(client: Client) -> None:
    started = process_started_at()
    with time_machine.travel(started + timedelta(minutes=2), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    heartbeat = response.json()["checks"]["heartbeat"]
    assert heartbeat["counted_from"] == "startup" and heartbeat["last_at"] is None
    assert heartbeat["age_seconds"] == 120

    with time_machine.travel(started + timedelta(minutes=3, seconds=1), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["heartbeat"]["ok"] is False


def test_process_start_is_in_the_past() -> None:
    assert process_started_at() <= timezone.now()
