from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orchestration.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "user_count", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        return super().get_queryset(request).annotate(user_total=Count("users"))

    @admin.display(description=_("usuários"), ordering="user_total")
    def user_count(self, obj: Company) -> int:
        return obj.user_total  # type: ignore[attr-defined]
