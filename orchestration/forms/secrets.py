"""Form pieces for secrets: the value is never rendered back, and a blank box keeps the stored one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

KEEP_HINT = _("Deixe em branco para manter o valor salvo.")


class SecretInput(forms.PasswordInput):
    """A password box that never carries the stored value; its placeholder says whether one is saved."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        if value:
            attrs.setdefault("placeholder", str(_("•••••• (salvo — deixe em branco para manter)")))
        return super().get_context(name, value, attrs)


class SecretFormField(forms.CharField):
    """The form field of EncryptedTextField. Blank means "keep": the model field ignores blank form data."""

    widget = SecretInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Blank keeps the stored value, so it is no change; anything typed is one.
        return bool(data)


class SecretFieldsFormMixin:
    """For ModelForms: a secret that is already stored stops being required, so the form can be saved
    without typing it again (EncryptedTextField keeps the stored value when the box is left blank)."""

    fields: dict[str, forms.Field]
    instance: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, SecretFormField) and getattr(self.instance, name, ""):
                field.required = False
                hint = str(KEEP_HINT)
                if hint not in str(field.help_text):
                    field.help_text = f"{field.help_text} {hint}".strip()


class SecretModelForm(SecretFieldsFormMixin, forms.ModelForm):
    """Base form for admins of models with EncryptedTextField columns."""
