"""The invoice pipeline's periodic tasks of flow 7 (found by `setup_schedules` through orchestration/schedules.py)."""

from orchestration.registries.schedules import ScheduleSpec, register_schedule

DAILY_REPORT_TASK = "orchestration.invoices.daily_report"

register_schedule(
    ScheduleSpec(
        name="orchestration.invoices.daily_report",
        task=DAILY_REPORT_TASK,
        crontab="0 8 * * *",
        description="Relatório diário das faturas (por situação, falhas, aprovações pendentes) aos destinatários dos "
        "alertas (todo dia, 08:00).",
        expire_seconds=6 * 3600,
    )
)
