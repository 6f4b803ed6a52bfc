"""/metrics: django-prometheus's request metrics plus the ledger's numbers, for a token or an allowed network."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, RemoteJob, RemoteJobState, Severity

pytestmark = pytest.mark.django_db


def scrape(client: Client, **headers: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get(name, {}).get(tuple(sorted(labels.items())))


def execution(kind: str, status: str, *, seconds: float | None = None, age: timedelta = timedelta(0)) -> Execution:
    row = Execution.objects.create(kind=kind, status=status)
    now = timezone.now() - age
    started = now - timedelta(seconds=seconds) if seconds is not None else None
    # created_at is auto_now_add: the past is written with an update.
    Execution.objects.filter(pk=row.pk).update(
        created_at=started or now, started_at=started, finished_at=now if seconds is not None else None
    )
    return row


def alert(fingerprint: str, group: str, severity: str, status: str = AlertStatus.OPEN) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        fingerprint=fingerprint, group=group, severity=severity, title=fingerprint, status=status,
        first_seen_at=now, last_seen_at=now,
    )  # fmt: skip


def test_executions_by_kind_and_status_count_the_window_and_the_active_ones(client: Client) -> None:
    execution("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=3)
    execution("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=40)
    execution("MOVIDESK_SYNC", ExecutionStatus.FAILED, seconds=700)
    execution("MOVIDESK_SYNC", ExecutionStatus.RUNNING)
    # Two days old: outside the 24 h window, but still running counts as active.
    execution("KOMMO_SYNC", ExecutionStatus.RUNNING, age=timedelta(days=2))
    execution("KOMMO_SYNC", ExecutionStatus.SUCCEEDED, seconds=5, age=timedelta(days=2))

    samples = scrape(client)

    assert value(samples, "orquestra_executions", kind="MOVIDESK_SYNC", status="SUCCEEDED") == 2
    assert value(samples, "orquestra_executions", kind="MOVIDESK_SYNC", status="FAILED") == 1
    assert value(samples, "orquestra_executions", kind="MOVIDESK_SYNC", status="RUNNING") == 1
    assert value(samples, "orquestra_executions", kind="KOMMO_SYNC", status="SUCCEEDED") in (None, 0)
    assert value(samples, "orquestra_executions_active", kind="KOMMO_SYNC", status="RUNNING") == 1
    assert value(samples, "orquestra_executions_active", kind="MOVIDESK_SYNC", status="RUNNING") == 1
    # Every registered kind has its series, zeros included, so a rate over it never starts from nothing.
    assert value(samples, "orquestra_executions_active", kind="MOVIDESK_SYNC", status="QUEUED") == 0


def test_duration_histogram_buckets_are_cumulative_per_kind(client: Client) -> None:
    execution("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=3)
    execution("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=40)
    execution("MOVIDESK_SYNC", ExecutionStatus.FAILED, seconds=700)
    execution("MOVIDESK_SYNC", ExecutionStatus.RUNNING)  # not finished: not in the histogram
    execution("MOVIDESK_SYNC", ExecutionStatus.SUCCEEDED, seconds=5, age=timedelta(days=2))  # outside the window

    samples = scrape(client)

    bucket = "orquestra_execution_duration_seconds_bucket"
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="1.0") == 0
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="5.0") == 1
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="60.0") == 2
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="600.0") == 2
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="1800.0") == 3
    assert value(samples, bucket, kind="MOVIDESK_SYNC", le="+Inf") == 3
    assert value(samples, "orquestra_execution_duration_seconds_count", kind="MOVIDESK_SYNC") == 3
    assert value(samples, "orquestra_execution_duration_seconds_sum", kind="MOVIDESK_SYNC") == pytest.approx(743)


def test_remote_jobs_in_flight_and_open_alerts(client: Client) -> None:
    parent = execution("INVOICE_DOWNLOAD", ExecutionStatus.RUNNING)
    for index, state in enumerate(
        [RemoteJobState.RUNNING, RemoteJobState.RUNNING, RemoteJobState.WAITING, RemoteJobState.FINISHED]
    ):
        RemoteJob.objects.create(
            execution=parent, handler="invoice_download", pool="rpa", state=state, subject_key=f"invoice:{index}",
            slot=index if state == RemoteJobState.RUNNING else None,
        )  # fmt: skip
    alert("kommo:auth:a", "kommo:auth", Severity.CRITICAL)
    alert("kommo:auth:b", "kommo:auth", Severity.CRITICAL)
    alert("movidesk:sync-failed", "movidesk:sync", Severity.WARNING)
    alert("old", "movidesk:sync", Severity.WARNING, status=AlertStatus.RESOLVED)

    samples = scrape(client)

    jobs = "orquestra_remote_jobs_active"
    assert value(samples, jobs, handler="invoice_download", pool="rpa", state="RUNNING") == 2
    assert value(samples, jobs, handler="invoice_download", pool="rpa", state="WAITING") == 1
    assert value(samples, jobs, handler="invoice_download", pool="rpa", state="FINISHED") is None
    assert value(samples, "orquestra_alerts_open", severity="CRITICAL") == 2
    assert value(samples, "orquestra_alerts_open", severity="WARNING") == 1
    assert value(samples, "orquestra_alerts_open", severity="INFO") == 0
    assert value(samples, "orquestra_alerts_open_by_group", group="kommo:auth", severity="CRITICAL") == 2
    assert value(samples, "orquestra_alerts_open_by_group", group="movidesk:sync", severity="WARNING") == 1


def test_request_metrics_of_django_prometheus_are_there(client: Client) -> None:
    client.get("/healthz")

    samples = scrape(client)

    assert value(samples, "django_http_requests_total_by_view_transport_method_total",
                 view="healthz", transport="http", method="GET") >= 1  # fmt: skip
    assert "django_http_responses_total_by_status_total" in samples
    assert value(samples, "orquestra_metrics_collect_seconds") is not None


def test_queue_length_of_the_file_system_broker_counts_its_message_files(client: Client, tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"{1000 + index}_abc{index}.celery.msg").write_text("{}")
    (tmp_path / "1003_other.elsewhere.msg").write_text("{}")
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "data_folder_in": str(tmp_path)}

    with override_settings(CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options):
        samples = scrape(client)

    assert value(samples, "orquestra_celery_queue_length", queue="celery") == 3
    assert value(samples, "orquestra_celery_broker_up") == 1


@pytest.fixture
def redis_broker() -> Iterator[str]:
    url = settings.REDIS_URL
    client = redis.Redis.from_url(url)
    keys = ["celery", *(f"celery\x06\x16{step}" for step in (3, 6, 9))]
    client.delete(*keys)
    yield url
    client.delete(*keys)
    client.close()


@pytest.mark.services
def test_queue_length_of_the_redis_broker_counts_every_priority_list(client: Client, redis_broker: str) -> None:
    sender = Celery("metrics-test", broker=redis_broker)
    sender.send_task("orchestration.tasks.nothing", queue="celery")
    sender.send_task("orchestration.tasks.nothing", queue="celery")
    sender.send_task("orchestration.tasks.nothing", queue="celery", priority=5)

    with override_settings(CELERY_BROKER_URL=redis_broker, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        samples = scrape(client)

    assert value(samples, "orquestra_celery_queue_length", queue="celery") == 3
    assert value(samples, "orquestra_celery_broker_up") == 1


def test_a_broker_that_does_not_answer_leaves_the_other_metrics(client: Client) -> None:
    alert("kommo:auth:a", "kommo:auth", Severity.CRITICAL)

    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={}):
        samples = scrape(client)

    assert value(samples, "orquestra_celery_broker_up") == 0
    assert "orquestra_celery_queue_length" not in samples
    assert value(samples, "orquestra_alerts_open", severity="CRITICAL") == 1


# --- Who may read it -----------------------------------------------------------------------------------------


def test_loopback_reads_without_a_token_when_none_is_set(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_another_address_is_refused_and_nothing_leaks(client: Client) -> None:
    alert("kommo:auth:a", "kommo:auth", Severity.CRITICAL)

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 403
    assert b"orquestra_" not in response.content and b"django_http" not in response.content


def test_a_request_relayed_by_an_unknown_proxy_is_not_let_in_by_address(client: Client) -> None:
    # NUM_PROXIES = 0: the proxy on this machine would otherwise make every client look like 127.0.0.1.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403


@override_settings(NUM_PROXIES=1, METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_client_address_decides(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403


@override_settings(METRICS_TOKEN="s3cr3t-metrics-token")
def test_with_a_token_set_the_token_is_needed_even_on_loopback(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    scrape(client, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cr3t-metrics-token")
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert b"orquestra_" not in wrong.content
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic czNjcjN0").status_code == 401


def test_a_token_sent_when_none_is_configured_is_wrong(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer anything").status_code == 401


@override_settings(METRICS_TOKEN="s3cr3t-metrics-token", METRICS_ALLOWED_NETWORKS=["192.0.2.0/24"])
def test_token_and_networks_together(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    bearer = "Bearer s3cr3t-metrics-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=bearer).status_code == 200


def test_only_get_and_head(client: Client) -> None:
    assert client.post("/metrics").status_code == 405


def test_a_malformed_network_refuses_to_start() -> None:
    import os
    import subprocess
    import sys

    from tests.harness.processes import PROJECT_DIR

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env["METRICS_ALLOWED_NETWORKS"] = "10.0.0.0/8,nope"
    command = [sys.executable, "-c", "import django; django.setup()"]
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "METRICS_ALLOWED_NETWORKS: 'nope' is not a network" in done.stderr
