"""Admin for ServiceCredential: secrets can be typed in, never read back."""

from django.contrib import admin

from orchestration.admin_widgets import SecretModelForm
from orchestration.models import ServiceCredential


@admin.register(ServiceCredential)
class ServiceCredentialAdmin(admin.ModelAdmin):
    form = SecretModelForm
    list_display = ["service", "label", "updated_at"]
    search_fields = ["service", "label"]
    fields = ["service", "label", "secret", "updated_at"]
    readonly_fields = ["updated_at"]
