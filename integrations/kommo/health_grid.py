"""Kommo on the health grid: a row per active replica (its KOMMO_REPLICA_SYNC children); re-running one
syncs the master into that replica alone."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations.kommo.enqueue import kommo_sync_enqueue
from integrations.kommo.models import AccountRole, KommoAccount, SyncType
from integrations.kommo.sync import ACTIVE, REPLICA_KIND, SYNC_KIND
from orchestration.models import Execution, Trigger, User
from orchestration.registries.console import HealthRow, HealthSource, Requester, register_health_source
from orchestration.services.transitions import IllegalTransition


def kommo_rows(user: User, month: date) -> list[HealthRow]:
    if not user.has_perm("integrations.view_kommoaccount"):
        return []
    replicas = KommoAccount.objects.filter(role=AccountRole.REPLICA, active=True).order_by("subdomain")
    return [
        HealthRow(
            key=f"kommo:{account.pk}",
            label=account.name or account.subdomain,
            subject=account,
            link=reverse("admin:integrations_kommoaccount_change", args=[account.pk]),
            detail=f"{account.subdomain} · {account.get_auth_state_display()}",
        )
        for account in replicas
    ]


def kommo_rerun(row: HealthRow, kind: str, requester: Requester) -> Execution:
    account = row.subject
    assert isinstance(account, KommoAccount)  # noqa: S101 - the rows above are accounts
    # The replica's item appears only when the sync fans out: until then the cell does not look busy, so a
    # second click would queue a sync that the no-overlap lock then skips. Say so instead.
    running = Execution.objects.filter(kind=SYNC_KIND, status__in=ACTIVE).order_by("-id").first()
    if running is not None:
        raise IllegalTransition(
            gettext("Já há uma sincronização Kommo na fila ou em andamento (#%(id)s); aguarde o fim dela.")
            % {"id": running.pk}
        )
    return kommo_sync_enqueue(
        sync_type=SyncType.FULL,
        accounts=[account.subdomain],
        trigger=Trigger.MANUAL,
        user=requester.user,
        ip=requester.ip,
        user_agent=requester.user_agent,
    )


register_health_source(
    HealthSource(
        "kommo",
        _("Réplicas Kommo"),
        kinds=(REPLICA_KIND,),
        rows=kommo_rows,
        rerun=kommo_rerun,
        rerun_permission="integrations.sync_kommoaccount",
        order=20,
    )
)
