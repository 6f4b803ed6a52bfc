"""The invoice pipeline's periodic tasks (found by `setup_schedules` through orchestration/schedules.py).

A second run of each changes nothing: creation skips the months' existing processes, downloads and SAT
uploads take only the processes still waiting for them with attempts left and no RPA job active."""

from orchestration.invoices.services.demo import invoices_demo_schedule_write
from orchestration.registries.schedules import ScheduleSpec, register_schedule, register_schedule_hook

register_schedule(
    ScheduleSpec(
        name="invoices.create_invoice_processes",
        task="invoices.create_invoice_processes",
        crontab="0 6 1 * *",
        kwargs={"trigger": "SCHEDULE"},
        description="Dia 1º às 06:00: cria o processo do mês de cada conta ativa das operadoras com RPA.",
        expire_seconds=6 * 3600,
    )
)
register_schedule(
    ScheduleSpec(
        name="invoices.download_invoices",
        task="invoices.download_invoices",
        crontab="0 8 * * *",
        kwargs={"trigger": "SCHEDULE"},
        description="Todo dia às 08:00: pede ao servidor RPA as faturas que aguardam download.",
        expire_seconds=3600,
    )
)
register_schedule(
    ScheduleSpec(
        name="invoices.send_invoices_to_sat",
        task="invoices.send_invoices_to_sat",
        crontab="0 10 * * *",
        kwargs={"trigger": "SCHEDULE"},
        description="Todo dia às 10:00: envia ao SAT as faturas aprovadas.",
        expire_seconds=3600,
    )
)

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

register_schedule_hook(invoices_demo_schedule_write)
