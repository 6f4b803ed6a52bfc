"""The invoice pipeline's part of `load_demo` (see orchestration.registries.demo and services/demo.py)."""

from django.utils.translation import gettext as _

from orchestration.invoices.services.demo import invoices_demo_write
from orchestration.models import Role
from orchestration.registries.demo import DemoContext, register_demo_history


def invoices_demo_history(context: DemoContext) -> str:
    execution = invoices_demo_write(context.users.get(Role.OPERATOR))
    if execution is None:
        return ""
    return _(
        "Faturas: 6 contas nas operadoras e seus processos deste mês e do anterior; download pelo simulador RPA "
        "enfileirado (execução #%(id)d). A cada minuto o aprovador de demonstração aprova uma e as aprovadas "
        "vão ao SAT."
    ) % {"id": execution.pk}


register_demo_history("invoices", invoices_demo_history)
