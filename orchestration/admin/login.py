"""The admin login form, told apart from a wrong password when repeated failures block the login."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orchestration.auth_backend import login_is_blocked


class ThrottleAwareLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "login_blocked": _("Muitas tentativas de login sem sucesso. Aguarde alguns minutos e tente novamente."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and login_is_blocked(username, self.request):
            raise ValidationError(self.error_messages["login_blocked"], code="login_blocked")
        return super().clean()
