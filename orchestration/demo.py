"""orchestration's part of `load_demo` (see orchestration.registries.demo): one smoke test fanned out to a
few items, one of which fails on its first attempt, queued for the worker. It shows a real parent and
children in the ledger, a failure, and what "retry the failed items" does."""

from django.utils.translation import gettext as _

from orchestration.models import Execution, Role, Trigger
from orchestration.registries.demo import DemoContext, register_demo_history
from orchestration.services.executions import execution_create
from orchestration.services.smoke import SMOKE_TEST_FAN_OUT_KIND
from orchestration.tasks import smoke_test_fan_out

DEMO_FAN_OUT = {"children": 5, "seconds": 1.0, "fail_every": 5, "fail_attempts": 1}


def orchestration_demo_history(context: DemoContext) -> str:
    if Execution.objects.filter(kind=SMOKE_TEST_FAN_OUT_KIND).exists():
        return ""
    execution = execution_create(
        kind=SMOKE_TEST_FAN_OUT_KIND,
        trigger=Trigger.MANUAL,
        parameters=DEMO_FAN_OUT,
        user=context.users.get(Role.ADMINISTRATOR),
        ip="127.0.0.1",
        user_agent="load_demo",
    )
    smoke_test_fan_out.delay_on_commit(**DEMO_FAN_OUT, trigger=Trigger.MANUAL, execution_id=execution.pk)
    return _("Teste de fumaça distribuído em 5 itens enfileirado (execução #%(id)d).") % {"id": execution.pk}


register_demo_history("orchestration", orchestration_demo_history)

# The invoice pipeline's demo (a sub-package the shared modules never import).
from orchestration.invoices import demo as invoices_demo  # noqa: E402,F401  isort: skip
