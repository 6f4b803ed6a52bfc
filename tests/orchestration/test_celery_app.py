"""The Celery wiring the issue asks for: late acks, redelivery when a worker dies, limits on every task."""

from config.celery import app


def test_tasks_are_acknowledged_late_and_rejected_when_their_worker_is_lost() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.result_backend == "django-db"
    assert app.conf.beat_scheduler == "orchestration.beat_scheduler:DatabaseScheduler"


def test_every_task_of_ours_states_its_own_time_limits() -> None:
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}

    assert "orchestration.heartbeat" in ours and "orchestration.smoke_test" in ours
    unlimited = [name for name, task in ours.items() if task.time_limit is None or task.soft_time_limit is None]
    assert unlimited == [], "tasks without an explicit time_limit and soft_time_limit"
    inverted = [name for name, task in ours.items() if task.soft_time_limit >= task.time_limit]
    assert inverted == [], "soft_time_limit must come before time_limit, so the ledger records TIMED_OUT"


def test_no_task_outlives_redelivery_or_the_stale_run_sweep(settings) -> None:  # type: ignore[no-untyped-def]
    # A task still running when the broker's visibility timeout ends is handed to a second worker; one
    # running past EXECUTION_STALE_AFTER_SECONDS would be ended by the heartbeat while alive.
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    visibility_timeout = 3600  # the production default (CELERY_VISIBILITY_TIMEOUT)
    too_long = {
        name: task.time_limit
        for name, task in ours.items()
        if task.time_limit >= min(visibility_timeout, settings.EXECUTION_STALE_AFTER_SECONDS)
    }
    assert too_long == {}
