"""Celery tasks of the invoice pipeline: thin, ids and primitives in, one service each."""

from celery import Task, shared_task

from orchestration.invoices.months import month_parse
from orchestration.invoices.reports.daily import daily_report_run
from orchestration.invoices.services.demo import invoices_demo_step
from orchestration.invoices.services.downloads import DOWNLOAD_STEP, DOWNLOAD_TASK, invoice_downloads_run
from orchestration.invoices.services.processes import invoice_processes_create_run
from orchestration.invoices.services.remote_steps import step_child_run
from orchestration.invoices.services.sat import SAT_STEP, SAT_TASK, invoices_to_sat_run
from orchestration.models import Trigger
from orchestration.tasks import trigger_of


@shared_task(name="invoices.create_invoice_processes", bind=True, soft_time_limit=300, time_limit=360)
def create_invoice_processes(
    self: Task, month: str = "", carrier: str = "", trigger: str = Trigger.MANUAL, execution_id: int | None = None
) -> int:
    return invoice_processes_create_run(
        month=month_parse(month) if month else None,
        carrier_code=carrier,
        trigger=trigger_of(self, trigger),
        execution_id=execution_id,
        task=self,
    ).pk


@shared_task(name="invoices.download_invoices", bind=True, soft_time_limit=300, time_limit=360)
def download_invoices(
    self: Task, month: str = "", carrier: str = "", trigger: str = Trigger.MANUAL, execution_id: int | None = None
) -> int:
    return invoice_downloads_run(
        month=month_parse(month) if month else None,
        carrier_code=carrier,
        trigger=trigger_of(self, trigger),
        execution_id=execution_id,
        task=self,
    ).pk


@shared_task(name=DOWNLOAD_TASK, bind=True, soft_time_limit=60, time_limit=90)
def download_invoice(self: Task, execution_id: int) -> int:
    # Hands the process to the remote-job monitor and returns: no worker waits for the robot.
    return step_child_run(DOWNLOAD_STEP, execution_id=execution_id, task=self).pk


@shared_task(name="invoices.send_invoices_to_sat", bind=True, soft_time_limit=300, time_limit=360)
def send_invoices_to_sat(
    self: Task, month: str = "", carrier: str = "", trigger: str = Trigger.MANUAL, execution_id: int | None = None
) -> int:
    return invoices_to_sat_run(
        month=month_parse(month) if month else None,
        carrier_code=carrier,
        trigger=trigger_of(self, trigger),
        execution_id=execution_id,
        task=self,
    ).pk


@shared_task(name=SAT_TASK, bind=True, soft_time_limit=60, time_limit=90)
def send_invoice_to_sat(self: Task, execution_id: int) -> int:
    return step_child_run(SAT_STEP, execution_id=execution_id, task=self).pk


@shared_task(name="invoices.demo_step", soft_time_limit=50, time_limit=60)
def demo_step() -> str:
    return invoices_demo_step()


@shared_task(name="orchestration.invoices.daily_report", bind=True, soft_time_limit=120, time_limit=150)
def daily_report(self: Task, trigger: str = Trigger.MANUAL) -> int:
    scheduled = getattr(self.request, "periodic_task_name", None)
    return daily_report_run(trigger=Trigger.SCHEDULE if scheduled else trigger, task=self).pk
