"""Routes of the invoice pipeline's API (included under /api/v1/ by orchestration/api/urls.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from orchestration.invoices.api.files import invoice_file
from orchestration.invoices.api.processes import InvoiceProcessViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("invoice-processes", InvoiceProcessViewSet, basename="invoice-process")

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoice-files/<str:token>/", invoice_file, name="invoice-file"),
    *router.urls,
]
