"""The monthly report page (staff only, the admin's look): `/invoices/report/?month=MM/YYYY`, and its CSV
for spreadsheets with `&format=csv`."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.invoices.months import month_current, month_format, month_parse
from orchestration.invoices.reports.monthly import invoice_month_report, report_csv

REPORT_PERMISSION = "orchestration.view_invoiceprocess"


@staff_member_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    raw = request.GET.get("month", "").strip()
    error = ""
    month = month_current(timezone.localdate())
    if raw:
        try:
            month = month_parse(raw)
        except ValidationError as invalid:
            error = invalid.messages[0]
    report = invoice_month_report(month=month)
    if request.GET.get("format") == "csv" and not error:
        response = HttpResponse(report_csv(report, spreadsheet=True), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="relatorio-faturas-{month:%Y-%m}.csv"'
        return response
    context = {
        **admin.site.each_context(request),
        "title": _("Relatório mensal das faturas — %(month)s") % {"month": month_format(month)},
        "report": report,
        "month_value": raw if error else month_format(month),
        "error": error,
    }
    return TemplateResponse(request, "invoices/monthly_report.html", context, status=400 if error else 200)
