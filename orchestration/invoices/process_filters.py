"""The filters of the invoice processes page (/invoices/processes/): one month (MM/YYYY, the current one by
default), carrier, status and a search by account name, unit or CNPJ (with or without punctuation)."""

import datetime
import re

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orchestration.invoices.models import Carrier, InvoiceProcess, InvoiceStatus
from orchestration.invoices.months import month_current, month_parse

_NOT_DIGITS = re.compile(r"\D")
_CNPJ_LIKE = re.compile(r"[\d./\-\s]+")


class ProcessFilterForm(forms.Form):
    month = forms.CharField(label=_("Mês (MM/AAAA)"), required=False, max_length=7)
    carrier = forms.ChoiceField(label=_("Operadora"), required=False)
    status = forms.MultipleChoiceField(label=_("Situação"), choices=InvoiceStatus.choices, required=False)
    q = forms.CharField(label=_("Conta ou CNPJ"), required=False, max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        carriers = Carrier.objects.order_by("name").values_list("code", "name")
        self.fields["carrier"].choices = [("", _("Todas as operadoras")), *carriers]  # type: ignore[attr-defined]

    def clean_month(self) -> datetime.date:
        raw = self.cleaned_data["month"].strip()
        return month_parse(raw) if raw else month_current(timezone.localdate())


def processes_matching(*, month: datetime.date, carrier: str = "", statuses: list[str], text: str = "") -> QuerySet:
    processes = InvoiceProcess.objects.filter(month=month).select_related("account__carrier", "approved_by")
    if carrier:
        processes = processes.filter(account__carrier__code=carrier)
    if statuses:
        processes = processes.filter(status__in=statuses)
    text = text.strip()
    if text:
        found = Q(account__legal_name__icontains=text) | Q(account__unit__icontains=text)
        found |= Q(account__sat_name__icontains=text)
        digits = _NOT_DIGITS.sub("", text)
        if digits and _CNPJ_LIKE.fullmatch(text):  # "2" in "cliente 2" is a name, not a piece of a CNPJ
            found |= Q(account__cnpj__contains=digits)
        processes = processes.filter(found)
    return processes.order_by("account__legal_name", "account__unit", "id")
