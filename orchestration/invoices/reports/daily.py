"""The daily report (flow 7, the source's ENVIAR_RELATORIOS): this month's processes by status, the
invoice runs that failed in the last 24 hours and the invoices awaiting approval, sent to the alerts'
recipients (orchestration.services.report_notifications) once a day."""

import datetime
from dataclasses import dataclass, field

from celery import Task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orchestration.invoices.kinds import INVOICE_DAILY_REPORT_KIND
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current, month_format
from orchestration.models import Execution, ExecutionStatus, Trigger
from orchestration.registries.kinds import kind_label
from orchestration.services.report_notifications import report_already_sent, report_notifications_create
from orchestration.services.runner import JobContext, execution_run

LISTED = 20
FAILED = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)


@dataclass
class DailyReport:
    day: datetime.date
    month: datetime.date
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[Execution] = field(default_factory=list)
    failure_count: int = 0
    pending: list[InvoiceProcess] = field(default_factory=list)
    pending_count: int = 0

    @property
    def group(self) -> str:
        return f"invoices:daily-report:{self.day.isoformat()}"


def invoice_daily_report(*, now: datetime.datetime | None = None) -> DailyReport:
    now = now or timezone.now()
    day = timezone.localdate(now)
    report = DailyReport(day=day, month=month_current(day))
    counts = dict(
        InvoiceProcess.objects.filter(month=report.month).values_list("status").annotate(n=Count("id")).order_by()
    )
    report.by_status = {status: counts.get(status, 0) for status in InvoiceStatus.values}
    failures = Execution.objects.filter(
        subject_type=ContentType.objects.get_for_model(InvoiceProcess),
        status__in=FAILED,
        finished_at__gte=now - datetime.timedelta(hours=24),
    ).order_by("-finished_at")
    report.failure_count = failures.count()
    report.failures = list(failures[:LISTED])
    pending = InvoiceProcess.objects.filter(status=InvoiceStatus.AWAITING_APPROVAL).select_related("account__carrier")
    report.pending_count = pending.count()
    report.pending = list(pending.order_by("updated_at", "id")[:LISTED])
    return report


def daily_report_texts(report: DailyReport) -> tuple[str, str]:
    subject = _("Relatório diário das faturas — %(day)s") % {"day": report.day.strftime("%d/%m/%Y")}
    lines = [_("Processos de %(month)s por situação:") % {"month": month_format(report.month)}]
    for value, label in InvoiceStatus.choices:
        lines.append(f"- {label}: {report.by_status.get(value, 0)}")
    lines += ["", _("Falhas nas últimas 24 horas: %(count)d") % {"count": report.failure_count}]
    for execution in report.failures:
        lines.append(f"- #{execution.pk} {kind_label(execution.kind)}: {execution.error[:200]}")
    lines += ["", _("Aguardando aprovação: %(count)d") % {"count": report.pending_count}]
    for process in report.pending:
        amount = f" — R$ {process.amount:.2f}".replace(".", ",") if process.amount is not None else ""
        lines.append(f"- {process.account} — {process.month_display}{amount}")
    for shown, total in ((len(report.failures), report.failure_count), (len(report.pending), report.pending_count)):
        if total > shown:
            lines.append(_("(listados %(shown)d de %(total)d)") % {"shown": shown, "total": total})
            break
    return subject, "\n".join(lines)


def daily_report_run(*, trigger: str = Trigger.SCHEDULE, task: Task | None = None) -> Execution:
    def job(context: JobContext) -> None:
        report = invoice_daily_report()
        context.set_counters(
            processes=sum(report.by_status.values()), failures=report.failure_count, pending=report.pending_count
        )
        if report_already_sent(report.group):
            context.log(_("O relatório de %(day)s já foi enviado; nada a fazer.") % {"day": f"{report.day:%d/%m/%Y}"})
            context.set_counters(notifications=0)
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = daily_report_texts(report)
        created = report_notifications_create(group=report.group, subject=subject, body=body)
        context.set_counters(notifications=created)
        context.log(_("Relatório enfileirado para %(count)d notificação(ões).") % {"count": created})

    return execution_run(
        kind=INVOICE_DAILY_REPORT_KIND,
        job=job,
        trigger=trigger,
        task=task,
        lock_key="invoices-daily-report",
        max_attempts=1,
    )
