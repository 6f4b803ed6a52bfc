"""Instant filters (ISO 8601) that the database can always take: a bad value is a 400 naming the parameter.

PostgreSQL refuses UTC offsets beyond ±15:59 and Python refuses instants that leave years 1–9999 when
converted, both as a 500 deep in the query. Here such a value is refused while the parameter is cleaned,
and every accepted instant is sent to the database in UTC.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

MAX_OFFSET = timedelta(hours=15, minutes=59)
MIN_YEAR = 1900
MAX_YEAR = 9998


class BoundedIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {
        "offset": _("Deslocamento de fuso fora do intervalo aceito (de -15:59 a +15:59)."),
        "year": _("Ano fora do intervalo aceito (de %(min)d a %(max)d).") % {"min": MIN_YEAR, "max": MAX_YEAR},
    }

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError(self.error_messages["offset"], code="offset")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise forms.ValidationError(self.error_messages["year"], code="year")
        return parsed.astimezone(UTC)


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
