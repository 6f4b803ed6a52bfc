"""Routes of carriers, carrier accounts and the monthly report (included by orchestration/api/urls.py).

The report's path sits before the invoice processes' router, whose `{id}` route would otherwise take it."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from orchestration.invoices.api.account_views import CarrierAccountViewSet, CarrierViewSet
from orchestration.invoices.api.report_views import InvoiceMonthReportView

router = DefaultRouter()
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("carrier-accounts", CarrierAccountViewSet, basename="carrier-account")

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoice-processes/report/", InvoiceMonthReportView.as_view(), name="invoice-process-report"),
    *router.urls,
]
