"""Carriers and their accounts in the admin, with the CSV upload of accounts (flow 6)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from orchestration.client_ip import client_ip
from orchestration.invoices.account_forms import AccountsImportForm, CarrierAccountForm, CarrierForm
from orchestration.invoices.imports.run import carrier_accounts_import_run
from orchestration.invoices.models import Carrier, CarrierAccount
from orchestration.invoices.tax_ids import cnpj_format
from orchestration.models import Trigger

IMPORT_PERMISSIONS = ("orchestration.add_carrieraccount", "orchestration.change_carrieraccount")


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    form = CarrierForm
    list_display = ["name", "code", "has_rpa", "requires_cpf", "is_active", "rpa_class"]
    list_filter = ["is_active", "has_rpa", "requires_cpf"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["name", "code", "is_active", "requires_cpf", "portal_url"]}),
        (_("Robô (RPA)"), {"fields": ["has_rpa", "rpa_class", "rpa_config"]}),
    ]


@admin.register(CarrierAccount)
class CarrierAccountAdmin(admin.ModelAdmin):
    form = CarrierAccountForm
    list_display = ["legal_name", "cnpj_display", "carrier", "unit", "service", "portal_login", "is_active"]
    list_filter = ["carrier", "is_active"]
    search_fields = ["legal_name", "sat_name", "cnpj", "unit", "service", "portal_login"]
    list_select_related = ["carrier"]
    list_per_page = 100
    readonly_fields = ["unique_hash", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["legal_name", "sat_name", "cnpj", "carrier", "unit", "service", "is_active"]}),
        (_("Portal da operadora"), {"fields": ["portal_login", "portal_password", "cpf"]}),
        (_("Robô e SAT"), {"fields": ["filter", "sat_data"]}),
        (_("Registro"), {"fields": ["unique_hash", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("CNPJ"), ordering="cnpj")
    def cnpj_display(self, account: CarrierAccount) -> str:
        return cnpj_format(account.cnpj)

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        # A CNPJ typed with punctuation finds the stored digits.
        digits = "".join(ch for ch in search_term if ch.isalnum())
        if search_term and digits != search_term and len(digits) >= 8 and digits.isalnum():
            queryset, duplicates = super().get_search_results(request, queryset, "")
            return queryset.filter(cnpj__contains=digits.upper()), duplicates
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"can_import": request.user.has_perms(IMPORT_PERMISSIONS), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="orchestration_carrieraccount_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        form = AccountsImportForm(request.POST or None, request.FILES or None)
        run = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            run = carrier_accounts_import_run(
                source=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                trigger=Trigger.MANUAL,
                user=request.user,
                ip=client_ip(request) or None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            report = run.report
            if report is None or report.refused:
                self.message_user(request, run.problem, messages.ERROR)
            elif report.dry_run:
                self.message_user(request, _("Simulação, nada gravado: ") + report.summary() + ".", messages.INFO)
            else:
                self.message_user(request, report.summary() + ".", messages.SUCCESS)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Importar contas de um CSV"),
            "form": form,
            "run": run,
            "report": run.report if run else None,
            "execution_url": reverse("admin:orchestration_execution_change", args=[run.execution.pk]) if run else "",
        }
        return TemplateResponse(request, "admin/orchestration/carrieraccount/import.html", context)
