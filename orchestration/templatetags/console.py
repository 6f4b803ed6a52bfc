"""Filters the console's templates use to show the ledger in people's words."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orchestration.registries.kinds import kind_label as registered_kind_label

register = template.Library()


@register.filter
def kind_label(code: str) -> str:
    return registered_kind_label(code)


@register.filter
def seconds(value: float | datetime.timedelta | None) -> str:
    """A duration as people read it: "0,4 s", "12 s", "3 min 5 s", "2 h 10 min"."""
    if value is None:
        return "—"
    total = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)
    if total < 10:
        return f"{total:.1f} s".replace(".", ",")
    whole = int(round(total))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return ngettext("%(days)d dia", "%(days)d dias", hours // 24) % {"days": hours // 24}


@register.filter
def since(moment: datetime.datetime | None) -> str:
    """How long ago: "há 3 min"; "nunca" without a moment."""
    if moment is None:
        return _("nunca")
    return _("há %(duration)s") % {"duration": seconds(max(timezone.now() - moment, datetime.timedelta(0)))}
