"""Celery tasks of the invoice pipeline's flow 7: thin, one service each (found through orchestration/tasks.py)."""

from celery import Task, shared_task

from orchestration.invoices.reports.daily import daily_report_run
from orchestration.models import Trigger


@shared_task(name="orchestration.invoices.daily_report", bind=True, soft_time_limit=120, time_limit=150)
def daily_report(self: Task, trigger: str = Trigger.MANUAL) -> int:
    scheduled = getattr(self.request, "periodic_task_name", None)
    return daily_report_run(trigger=Trigger.SCHEDULE if scheduled else trigger, task=self).pk
