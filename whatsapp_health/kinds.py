"""whatsapp_health's execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from orchestration.registries.kinds import ExecutionKind, register_kind
from whatsapp_health.checks import CHECK_KIND, SESSION_CHECK_KIND
from whatsapp_health.housekeeping import CLEANUP_KIND, CONVERSATIONS_KIND
from whatsapp_health.schedules import CHECK_TASK, CLEANUP_TASK, CONVERSATIONS_TASK

APP = "whatsapp_health"
SESSIONS = _("sessões do WhatsApp")

register_kind(
    ExecutionKind(CHECK_KIND, _("Verificação das sessões do WhatsApp"), app=APP, concerns=SESSIONS, task=CHECK_TASK)
)
register_kind(
    ExecutionKind(SESSION_CHECK_KIND, _("Verificação de uma sessão do WhatsApp"), app=APP, concerns=_("uma sessão"))
)
register_kind(
    ExecutionKind(
        CLEANUP_KIND, _("Limpeza de sessões antigas do WhatsApp"), app=APP, concerns=SESSIONS, task=CLEANUP_TASK
    )
)
register_kind(
    ExecutionKind(
        CONVERSATIONS_KIND,
        _("Encerramento de conversas inativas do WhatsApp"),
        app=APP,
        concerns=SESSIONS,
        task=CONVERSATIONS_TASK,
    )
)
