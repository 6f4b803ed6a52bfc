"""whatsapp_health's part of `load_demo` (make run): with DEMO_SIMULATORS on, sessions on the local Evolution
and WAHA simulators (whose sessions drop and come back every 90 s) and one real check queued for the worker;
the 5-minute schedule then shows them dropping and returning. Never touches a real provider."""

from django.conf import settings
from django.utils.translation import gettext as _

from orchestration.models import Execution, Role, Trigger
from orchestration.registries.demo import DemoContext, register_demo_history
from orchestration.simulators import simulator_url
from whatsapp_health.checks import CHECK_KIND
from whatsapp_health.enqueue import CHECK, whatsapp_job_enqueue
from whatsapp_health.models import Provider, WhatsAppSession
from whatsapp_health.services import session_save

# The simulators' documented demo credentials (tests/fakes/evolution.py and waha.py).
EVOLUTION_INSTANCES = ("loja-centro", "loja-norte", "suporte", "vendas")
WAHA_SESSIONS = ("atendimento", "cobranca", "marketing")
WAHA_DEMO_KEY = "waha-api-key"  # noqa: S105 - the local simulator's key


def _demo_sessions() -> int:
    evolution = simulator_url("EVOLUTION_SIMULATOR_PORT", 8105) or ""
    waha = simulator_url("WAHA_SIMULATOR_PORT", 8106) or ""
    wanted = [(Provider.EVOLUTION, evolution, name, f"{name}-token") for name in EVOLUTION_INSTANCES]
    wanted += [(Provider.WAHA, waha, name, WAHA_DEMO_KEY) for name in WAHA_SESSIONS]
    created = 0
    for number, (provider, base_url, instance, key) in enumerate(wanted):
        if WhatsAppSession.objects.filter(provider=provider, base_url=base_url, instance=instance).exists():
            continue
        session_save(
            WhatsAppSession(),
            name=f"{instance} (demo)",
            provider=provider,
            base_url=base_url,
            api_key=key,
            instance=instance,
            phone=f"+55 11 90000-00{number:02d}",
            is_default=number == 0,
        )
        created += 1
    return created


def whatsapp_demo_history(context: DemoContext) -> str:
    if not settings.DEMO_SIMULATORS:
        return ""
    created = _demo_sessions()
    if Execution.objects.filter(kind=CHECK_KIND).exists():
        return ""
    execution = whatsapp_job_enqueue(
        CHECK, trigger=Trigger.MANUAL, user=context.users.get(Role.OPERATOR), ip="127.0.0.1", user_agent="load_demo"
    )
    return _("WhatsApp: %(count)d sessões nos simuladores; verificação enfileirada (execução #%(id)d).") % {
        "count": created,
        "id": execution.pk,
    }


register_demo_history("whatsapp", whatsapp_demo_history)
