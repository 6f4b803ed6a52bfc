"""Admin forms of the Movidesk integration."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.movidesk.configuration import sync_times_normalize
from integrations.movidesk.models import MovideskSettings
from integrations.movidesk.windows import MAX_WINDOW_DAYS, MovideskSyncWindow, local_today, window_validate
from orchestration.exceptions import ValidationFailed
from orchestration.forms.secrets import SecretModelForm


class SyncTimesField(forms.CharField):
    """The HH:MM list typed as text ("08:00, 12:00, 18:00"); cleaned into a sorted list without repeats."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        try:
            return sync_times_normalize(super().to_python(value) or "")
        except ValidationFailed as error:
            raise forms.ValidationError(str(error)) from None


class MovideskSettingsForm(SecretModelForm):
    sync_times = SyncTimesField(
        label=_("horários da sincronização automática"),
        required=False,
        help_text=_(
            "Horários HH:MM (horário de Brasília) separados por vírgula, ex.: 08:00, 12:00, 18:00. "
            "Repetidos são unidos. Cada execução cobre hoje e os dois dias anteriores; a alteração vale em "
            "segundos, sem reiniciar nada."
        ),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = MovideskSettings
        fields = ["token", "enabled", "sync_times"]


class ManualSyncForm(forms.Form):
    date_from = forms.DateField(label=_("de"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(
        label=_("até (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = local_today()
        self.fields["date_from"].initial = today - timedelta(days=2)
        self.fields["date_to"].initial = today
        self.fields["date_to"].help_text = _("No máximo %(days)d dias, contando as duas datas.") % {
            "days": MAX_WINDOW_DAYS
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_from") and cleaned.get("date_to"):
            try:
                cleaned["window"] = window_validate(cleaned["date_from"], cleaned["date_to"])
            except ValidationFailed as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned

    @property
    def window(self) -> MovideskSyncWindow:
        return self.cleaned_data["window"]
