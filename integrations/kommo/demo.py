"""Kommo's part of `load_demo`: with the local simulator (`make run`), a master and four replicas registered
with the simulator's long-lived token, and one real full sync queued for the worker. Never with a real
KOMMO_BASE_URL, and nothing when accounts already exist."""

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.kommo.configuration import DEMO_TOKEN
from integrations.kommo.enqueue import kommo_sync_enqueue
from integrations.kommo.models import AccountRole, KommoAccount, SyncType
from orchestration.models import Role, Trigger
from orchestration.registries.demo import DemoContext, register_demo_history

DEMO_MASTER = "demo-mestre"
DEMO_REPLICAS = ("demo-filial-sp", "demo-filial-rj", "demo-filial-bh", "demo-filial-poa")


def kommo_demo_history(context: DemoContext) -> str:
    if not settings.DEMO_SIMULATORS or settings.KOMMO_BASE_URL or KommoAccount.objects.exists():
        return ""
    KommoAccount.objects.create(
        subdomain=DEMO_MASTER, name="Matriz (demo)", role=AccountRole.MASTER, long_lived_token=DEMO_TOKEN
    )
    for subdomain in DEMO_REPLICAS:
        name = "Filial " + subdomain.rsplit("-", 1)[-1].upper() + " (demo)"
        KommoAccount.objects.create(
            subdomain=subdomain, name=name, role=AccountRole.REPLICA, long_lived_token=DEMO_TOKEN
        )
    execution = kommo_sync_enqueue(
        sync_type=SyncType.FULL,
        trigger=Trigger.MANUAL,
        user=context.users.get(Role.OPERATOR),
        ip="127.0.0.1",
        user_agent="load_demo",
    )
    return _(
        "Kommo: 1 mestre e %(count)d réplicas do simulador; sincronização completa enfileirada (execução #%(id)d)."
    ) % {
        "count": len(DEMO_REPLICAS),
        "id": execution.pk,
    }


register_demo_history("kommo", kommo_demo_history)
