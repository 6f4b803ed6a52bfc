"""Movidesk's part of `load_demo`: one real sync of the last three days, queued for the worker, against
the local simulator (never a real tenant: nothing is queued when a real token is configured)."""

from datetime import timedelta

from django.utils.translation import gettext as _

from integrations.movidesk.configuration import movidesk_connection
from integrations.movidesk.enqueue import movidesk_sync_enqueue
from integrations.movidesk.exceptions import MovideskNotConfigured
from integrations.movidesk.sync import SYNC_KIND
from integrations.movidesk.windows import local_today
from orchestration.models import Execution, Role, Trigger
from orchestration.registries.demo import DemoContext, register_demo_history


def movidesk_demo_history(context: DemoContext) -> str:
    try:
        if movidesk_connection().source != "demo":
            return ""
    except MovideskNotConfigured:
        return ""
    if Execution.objects.filter(kind=SYNC_KIND).exists():
        return ""
    today = local_today()
    execution = movidesk_sync_enqueue(
        date_from=today - timedelta(days=2),
        date_to=today,
        trigger=Trigger.MANUAL,
        user=context.users.get(Role.OPERATOR),
        ip="127.0.0.1",
        user_agent="load_demo",
    )
    return _("Movidesk: sincronização dos três últimos dias com o simulador enfileirada (execução #%(id)d).") % {
        "id": execution.pk
    }


register_demo_history("movidesk", movidesk_demo_history)
