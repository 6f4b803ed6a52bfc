"""Flow 7 under a real `celery beat` and `celery worker`: the three shipped schedules (daily report, ledger
purge, database backup to the bucket) fire, each run lands in the ledger as scheduled, and a second daily
report of the same day sends nothing."""

import pytest
from django_celery_beat.models import PeriodicTask

from orchestration.models import Execution, ExecutionStatus, Notification, Trigger
from orchestration.services.periodic_tasks import interval_schedule_for
from orchestration.services.schedules import schedules_setup
from tests.harness.processes import CeleryProcesses, redis_broker_env, redis_broker_purge, wait_until
from tests.harness.schedule_probe import save_edit

pytestmark = pytest.mark.e2e

SHIPPED = {
    "orchestration.invoices.daily_report": "INVOICE_DAILY_REPORT",
    "orchestration.purge_ledger": "LEDGER_PURGE",
    "orchestration.backup_database": "DATABASE_BACKUP",
}


@pytest.mark.services
def test_the_shipped_housekeeping_schedules_run_in_a_real_worker(
    subprocess_env: dict[str, str], tmp_path, s3_server, s3_bucket: str, admin_user
) -> None:  # type: ignore[no-untyped-def]
    report = schedules_setup()
    assert set(SHIPPED) <= set(report.created)
    crontabs = {t.name: t.crontab for t in PeriodicTask.objects.filter(name__in=SHIPPED).select_related("crontab")}
    assert {name: (c.minute, c.hour) for name, c in crontabs.items()} == {
        "orchestration.invoices.daily_report": ("0", "8"),
        "orchestration.purge_ledger": ("30", "3"),
        "orchestration.backup_database": ("0", "2"),
    }
    # Due every 3 seconds instead of once a day, to see them fire now.
    for task in PeriodicTask.objects.filter(name__in=SHIPPED):
        task.crontab = None
        save_edit(task, interval=interval_schedule_for(3))

    env = {**redis_broker_env(subprocess_env), **s3_server.environment(s3_bucket)}
    redis_broker_purge(env["CELERY_BROKER_URL"])
    with CeleryProcesses(env, tmp_path / "logs") as celery:
        celery.worker(concurrency=1)
        celery.beat()

        def ran_twice() -> bool:
            done = Execution.objects.filter(kind__in=SHIPPED.values(), status=ExecutionStatus.SUCCEEDED)
            return all(done.filter(kind=kind).count() >= 2 for kind in SHIPPED.values())

        wait_until(ran_twice, timeout=90, what="two successful runs of each housekeeping job")
        PeriodicTask.objects.filter(name__in=SHIPPED).update(enabled=False)

    runs = Execution.objects.filter(kind__in=SHIPPED.values()).exclude(status=ExecutionStatus.SKIPPED)
    assert {run.trigger for run in runs} == {Trigger.SCHEDULE}
    assert not runs.exclude(status=ExecutionStatus.SUCCEEDED).filter(finished_at__isnull=False).exists()
    reports = list(runs.filter(kind="INVOICE_DAILY_REPORT", status=ExecutionStatus.SUCCEEDED).order_by("pk"))
    assert reports[0].counters["notifications"] == 1  # the administrator's e-mail
    assert all(r.counters["notifications"] == 0 for r in reports[1:])
    assert Notification.objects.filter(category="REPORT").count() == 1
    backups = runs.filter(kind="DATABASE_BACKUP", status=ExecutionStatus.SUCCEEDED)
    keys = {run.counters["key"] for run in backups}
    assert keys <= set(s3_server.keys(s3_bucket, "backups/")) and keys
