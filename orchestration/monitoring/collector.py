"""Orquestra's own metrics, read from the database (and the broker) each time Prometheus scrapes.

Nothing is counted in process memory: every web process answers the same numbers, whichever one a scrape
reaches, and a restart loses nothing. One scrape costs five grouped queries and one Redis round trip:

- `orquestra_executions{kind,status}`: executions created in the last METRICS_WINDOW_HOURS hours (by
  `created_at`, which is indexed), so the numbers stay cheap and comparable however long the ledger is kept;
- `orquestra_executions_active{kind,status}`: QUEUED, RUNNING and RETRYING executions, whatever their age;
- `orquestra_execution_duration_seconds{kind}`: a histogram of the executions that finished in the window
  (`started_at` → `finished_at`), its buckets counted by the database;
- `orquestra_remote_jobs_active{handler,pool,state}`: remote jobs (the RPA robots) waiting, starting or running;
- `orquestra_celery_queue_length{queue}` and `orquestra_celery_broker_up`: messages waiting in the broker;
- `orquestra_alerts_open{severity}` and `orquestra_alerts_open_by_group{group,severity}`: open alerts.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.query import QuerySet
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector, CollectorRegistry

from orchestration.models import Alert, AlertStatus, Execution, ExecutionStatus, RemoteJob, RemoteJobState, Severity
from orchestration.monitoring.queues import BrokerUnavailable, queue_lengths
from orchestration.registries.kinds import kinds_all

logger = logging.getLogger(__name__)

# An execution that finished in the window was created at most this long before it (the stale sweeps end
# anything older): the bound lets the histogram's query use the created_at index instead of a full scan.
LONGEST_EXECUTION = timedelta(days=7)
# From sub-second bookkeeping runs to the 30-minute task limit and the RPA jobs that outlast it.
DURATION_BUCKETS_SECONDS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200)
ACTIVE_STATUSES = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.RETRYING)


def _bucket_key(index: int) -> str:
    return f"le_{index}"


@dataclass(frozen=True)
class _Families:
    recent: GaugeMetricFamily
    active: GaugeMetricFamily
    durations: HistogramMetricFamily
    remote_jobs: GaugeMetricFamily
    queues: GaugeMetricFamily
    broker_up: GaugeMetricFamily
    alerts: GaugeMetricFamily
    alerts_by_group: GaugeMetricFamily
    collect_seconds: GaugeMetricFamily

    @classmethod
    def empty(cls) -> "_Families":
        hours = settings.METRICS_WINDOW_HOURS
        return cls(
            recent=GaugeMetricFamily(
                "orquestra_executions",
                f"Executions created in the last {hours} h, by kind and status.",
                labels=["kind", "status"],
            ),
            active=GaugeMetricFamily(
                "orquestra_executions_active",
                "Executions queued, running or waiting for a retry now, by kind and status.",
                labels=["kind", "status"],
            ),
            durations=HistogramMetricFamily(
                "orquestra_execution_duration_seconds",
                f"Duration of the executions that finished in the last {hours} h, by kind.",
                labels=["kind"],
            ),
            remote_jobs=GaugeMetricFamily(
                "orquestra_remote_jobs_active",
                "Remote jobs (RPA robots) waiting for a slot, starting or running.",
                labels=["handler", "pool", "state"],
            ),
            queues=GaugeMetricFamily(
                "orquestra_celery_queue_length", "Task messages waiting in the broker, by queue.", labels=["queue"]
            ),
            broker_up=GaugeMetricFamily(
                "orquestra_celery_broker_up", "1 when the broker answered this scrape, else 0."
            ),
            alerts=GaugeMetricFamily("orquestra_alerts_open", "Open alerts, by severity.", labels=["severity"]),
            alerts_by_group=GaugeMetricFamily(
                "orquestra_alerts_open_by_group", "Open alerts, by group and severity.", labels=["group", "severity"]
            ),
            collect_seconds=GaugeMetricFamily(
                "orquestra_metrics_collect_seconds", "Time this scrape spent reading the database and the broker."
            ),
        )

    def all(self) -> list[Metric]:
        return [getattr(self, field.name) for field in fields(self)]


class OrquestraCollector(Collector):
    def describe(self) -> Iterable[Metric]:
        # Names only: registering must not query a database that may not exist yet (migrate, collectstatic).
        return _Families.empty().all()

    def collect(self) -> Iterable[Metric]:
        started = time.monotonic()
        window_start = timezone.now() - timedelta(hours=settings.METRICS_WINDOW_HOURS)
        families = _Families.empty()
        kinds = [kind.code for kind in kinds_all()]

        recent = Execution.objects.filter(created_at__gte=window_start)
        self._executions(families.recent, recent, kinds, ExecutionStatus.values)
        active = Execution.objects.filter(status__in=ACTIVE_STATUSES)
        self._executions(families.active, active, kinds, [str(status) for status in ACTIVE_STATUSES])
        self._durations(families.durations, window_start)
        self._remote_jobs(families.remote_jobs)
        self._queues(families.queues, families.broker_up)
        self._alerts(families.alerts, families.alerts_by_group)
        families.collect_seconds.add_metric([], time.monotonic() - started)
        return families.all()

    @staticmethod
    def _executions(
        family: GaugeMetricFamily, rows: QuerySet[Execution], kinds: list[str], statuses: Iterable[str]
    ) -> None:
        counts: dict[tuple[str, str], int] = {(kind, str(status)): 0 for kind in kinds for status in statuses}
        for row in rows.values("kind", "status").annotate(n=Count("id")).order_by():
            counts[(row["kind"], row["status"])] = row["n"]
        for (kind, status), count in sorted(counts.items()):
            family.add_metric([kind, status], count)

    @staticmethod
    def _durations(family: HistogramMetricFamily, window_start: datetime) -> None:
        duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        buckets = {
            _bucket_key(index): Count("id", filter=Q(duration__lte=timedelta(seconds=bound)))
            for index, bound in enumerate(DURATION_BUCKETS_SECONDS)
        }
        rows = (
            Execution.objects.filter(
                created_at__gte=window_start - LONGEST_EXECUTION,
                finished_at__gte=window_start,
                started_at__isnull=False,
                status__in=ExecutionStatus.terminal(),
            )
            .annotate(duration=duration)
            .values("kind")
            .annotate(total=Count("id"), seconds=Sum("duration"), **buckets)
            .order_by("kind")
        )
        for values in rows:
            row = cast(dict[str, Any], values)
            cumulative = [(str(float(bound)), row[_bucket_key(i)]) for i, bound in enumerate(DURATION_BUCKETS_SECONDS)]
            cumulative.append(("+Inf", row["total"]))
            seconds = row["seconds"].total_seconds() if row["seconds"] is not None else 0.0
            family.add_metric([row["kind"]], cumulative, seconds)

    @staticmethod
    def _remote_jobs(family: GaugeMetricFamily) -> None:
        rows = (
            RemoteJob.objects.filter(state__in=RemoteJobState.active())
            .values("handler", "pool", "state")
            .annotate(n=Count("id"))
            .order_by("handler", "pool", "state")
        )
        for row in rows:
            family.add_metric([row["handler"], row["pool"], row["state"]], row["n"])

    @staticmethod
    def _queues(family: GaugeMetricFamily, broker_up: GaugeMetricFamily) -> None:
        try:
            lengths = queue_lengths()
        except BrokerUnavailable as error:
            # The database numbers are still worth answering; the missing series and broker_up 0 say why.
            logger.warning("metrics: the broker did not answer: %s", error)
            broker_up.add_metric([], 0)
            return
        broker_up.add_metric([], 1)
        for queue, length in lengths.items():
            family.add_metric([queue], length)

    @staticmethod
    def _alerts(family: GaugeMetricFamily, by_group: GaugeMetricFamily) -> None:
        totals = dict.fromkeys(Severity.values, 0)
        rows = (
            Alert.objects.filter(status=AlertStatus.OPEN)
            .values("group", "severity")
            .annotate(n=Count("id"))
            .order_by("group", "severity")
        )
        for row in rows:
            totals[row["severity"]] = totals.get(row["severity"], 0) + row["n"]
            by_group.add_metric([row["group"], row["severity"]], row["n"])
        for severity, count in totals.items():
            family.add_metric([severity], count)


_registered: OrquestraCollector | None = None


def register_collector(registry: CollectorRegistry = REGISTRY) -> OrquestraCollector:
    """Registers the collector in `registry` once per process (AppConfig.ready may run more than once)."""
    global _registered
    if _registered is None:
        _registered = OrquestraCollector()
        registry.register(_registered)
    return _registered
