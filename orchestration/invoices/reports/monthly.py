"""The monthly report (flow 8): a month's invoice processes counted and summed by status and by carrier.

One grouped query; statuses with no process still appear (as zeros), so every report has the same shape."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_format

ZERO = Decimal("0.00")


@dataclass
class Totals:
    count: int = 0
    amount: Decimal = ZERO
    without_amount: int = 0  # processes with no amount yet (not downloaded)

    def add(self, count: int, amount: Decimal | None, without_amount: int) -> None:
        self.count += count
        self.amount += amount or ZERO
        self.without_amount += without_amount


@dataclass
class CarrierTotals:
    code: str
    name: str
    total: Totals = field(default_factory=Totals)
    by_status: dict[str, Totals] = field(default_factory=lambda: {s: Totals() for s in InvoiceStatus.values})


@dataclass
class MonthReport:
    month: datetime.date
    total: Totals
    by_status: dict[str, Totals]
    carriers: list[CarrierTotals]

    @property
    def month_display(self) -> str:
        return month_format(self.month)

    def status_rows(self) -> list[tuple[str, str, Totals]]:
        return [(value, str(label), self.by_status[value]) for value, label in InvoiceStatus.choices]


def invoice_month_report(*, month: datetime.date) -> MonthReport:
    rows = (
        InvoiceProcess.objects.filter(month=month)
        .values("account__carrier__code", "account__carrier__name", "status")
        .annotate(count=Count("id"), total_amount=Sum("amount"), without=Count("id", filter=Q(amount__isnull=True)))
        .order_by("account__carrier__name", "status")
    )
    total = Totals()
    by_status = {status: Totals() for status in InvoiceStatus.values}
    carriers: dict[str, CarrierTotals] = {}
    for row in rows:
        code = row["account__carrier__code"]
        carrier = carriers.setdefault(code, CarrierTotals(code=code, name=row["account__carrier__name"]))
        values = (row["count"], row["total_amount"], row["without"])
        total.add(*values)
        carrier.total.add(*values)
        if row["status"] in by_status:
            by_status[row["status"]].add(*values)
            carrier.by_status[row["status"]].add(*values)
    return MonthReport(month=month, total=total, by_status=by_status, carriers=list(carriers.values()))


def report_as_dict(report: MonthReport) -> dict[str, object]:
    def totals(value: Totals) -> dict[str, object]:
        return {"count": value.count, "amount": value.amount, "without_amount": value.without_amount}

    return {
        "month": report.month_display,
        "total": totals(report.total),
        "by_status": [
            {"status": status, "status_display": label, **totals(value)}
            for status, label, value in report.status_rows()
        ],
        "by_carrier": [
            {
                "carrier": carrier.code,
                "carrier_name": carrier.name,
                **totals(carrier.total),
                "by_status": [
                    {"status": status, **totals(carrier.by_status[status])} for status in InvoiceStatus.values
                ],
            }
            for carrier in report.carriers
        ],
    }


CSV_HEADER = ("mes", "operadora", "situacao", "processos", "valor", "sem_valor")
TOTAL = "TOTAL"


def report_csv(report: MonthReport, *, spreadsheet: bool = False) -> str:
    """One line per carrier and status, then each carrier's total, each status's total and the grand total.

    `spreadsheet`: as a Brazilian Excel opens it (`;`, decimal comma, BOM); otherwise plain `,` and `.`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if spreadsheet else ",", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def amount(value: Decimal) -> str:
        text = f"{value:.2f}"
        return text.replace(".", ",") if spreadsheet else text

    month = report.month_display
    for carrier in report.carriers:
        for status in InvoiceStatus.values:
            value = carrier.by_status[status]
            if value.count:
                writer.writerow((month, carrier.code, status, value.count, amount(value.amount), value.without_amount))
        writer.writerow(
            (
                month,
                carrier.code,
                TOTAL,
                carrier.total.count,
                amount(carrier.total.amount),
                carrier.total.without_amount,
            )
        )
    for status, _label, value in report.status_rows():
        writer.writerow((month, TOTAL, status, value.count, amount(value.amount), value.without_amount))
    writer.writerow((month, TOTAL, TOTAL, report.total.count, amount(report.total.amount), report.total.without_amount))
    text = out.getvalue()
    return "\ufeff" + text if spreadsheet else text
