"""Pages of the invoice pipeline outside the admin's model pages (included under /invoices/ by config/urls.py)."""

from django.urls import path

from orchestration.invoices.views.approval import approve
from orchestration.invoices.views.processes import process_list
from orchestration.invoices.views.report import monthly_report

urlpatterns = [
    path("report/", monthly_report, name="invoice-monthly-report"),
    path("processes/", process_list, name="invoice-processes"),
    path("processes/<int:pk>/approve", approve, name="invoice-approve"),
]
