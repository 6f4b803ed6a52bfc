"""Movidesk on the health grid: one row (the ticket sync is about no one thing); re-running it syncs the
scheduled window (today and the two days before) now."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.sync import SYNC_KIND
from integrations.movidesk.windows import window_automatic
from orchestration.models import Execution, Trigger, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, register_health_source

SYNC_PERMISSION = "integrations.sync_movideskticket"


def movidesk_rows(user: User, month: date) -> list[HealthRow]:
    if not user.has_perm("integrations.view_movideskticket"):
        return []
    return [
        HealthRow(
            key="movidesk",
            label="Movidesk",
            subject=None,
            link=reverse("admin:integrations_movideskticket_changelist"),
            detail=_("Sincronização de tickets"),
        )
    ]


def movidesk_rerun(row: HealthRow, kind: str, requester: Requester) -> Execution:
    window = window_automatic()
    return movidesk_sync_enqueue(
        date_from=window.date_from,
        date_to=window.date_to,
        trigger=Trigger.MANUAL,
        user=requester.user,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )


register_health_source(
    HealthSource(
        "movidesk",
        gettext_lazy("Movidesk"),
        kinds=(SYNC_KIND,),
        rows=movidesk_rows,
        rerun=movidesk_rerun,
        rerun_permission=SYNC_PERMISSION,
        order=10,
    )
)
