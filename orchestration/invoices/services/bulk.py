"""The same action on many processes at once (the console's bulk actions): each process through the one
service of that action, in its own transaction, so each is done entirely or not at all, and each refusal
says why (the wrong status, a job of the RPA server still running, no file yet...)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orchestration.exceptions import OrchestraError, ValidationFailed
from orchestration.invoices.models import InvoiceProcess
from orchestration.invoices.services.downloads import invoice_download_request
from orchestration.invoices.services.machine import Actor
from orchestration.invoices.services.processes import (
    APPROVE_PERMISSION,
    RUN_PERMISSION,
    invoice_approve,
    invoice_reject,
)
from orchestration.invoices.services.sat import invoice_sat_request


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: Any  # lazy text: the button
    done: Any  # lazy text: what happened to one process
    permission: str
    act: Callable[[InvoiceProcess, Actor, str], object]


BULK_ACTIONS = {
    action.name: action
    for action in (
        BulkAction(
            "approve",
            gettext_lazy("Aprovar"),
            gettext_lazy("aprovada"),
            APPROVE_PERMISSION,
            lambda process, actor, reason: invoice_approve(process=process, actor=actor),
        ),
        BulkAction(
            "reject",
            gettext_lazy("Rejeitar"),
            gettext_lazy("rejeitada"),
            APPROVE_PERMISSION,
            lambda process, actor, reason: invoice_reject(process=process, actor=actor, reason=reason),
        ),
        BulkAction(
            "download",
            gettext_lazy("Baixar (RPA)"),
            gettext_lazy("download pedido ao servidor RPA"),
            RUN_PERMISSION,
            lambda process, actor, reason: invoice_download_request(process=process, actor=actor),
        ),
        BulkAction(
            "send_to_sat",
            gettext_lazy("Enviar ao SAT (RPA)"),
            gettext_lazy("envio ao SAT pedido ao servidor RPA"),
            RUN_PERMISSION,
            lambda process, actor, reason: invoice_sat_request(process=process, actor=actor),
        ),
    )
}


@dataclass(frozen=True)
class BulkOutcome:
    process: InvoiceProcess
    done: bool
    message: str


def invoices_bulk_act(*, action: str, process_ids: Iterable[int], actor: Actor, reason: str = "") -> list[BulkOutcome]:
    """Runs `action` on each process; PermissionDenied (nothing done) when the actor may not use it at all,
    ValidationFailed (nothing done) for an unknown action or a rejection without a reason."""
    chosen = BULK_ACTIONS.get(action)
    if chosen is None:
        raise ValidationFailed(_("Escolha uma ação."))
    if actor.user is None or not actor.user.has_perm(chosen.permission):
        raise PermissionDenied(_("Seu perfil não permite esta ação."))
    reason = reason.strip()
    if action == "reject" and not reason:
        raise ValidationFailed(_("Informe o motivo da rejeição."))
    processes = InvoiceProcess.objects.filter(pk__in=list(process_ids)).select_related("account__carrier")
    outcomes = []
    for process in processes.order_by("account__legal_name", "id"):
        try:
            chosen.act(process, actor, reason)
        except (OrchestraError, PermissionDenied) as error:
            outcomes.append(BulkOutcome(process=process, done=False, message=str(error)))
        except ValidationError as error:
            outcomes.append(BulkOutcome(process=process, done=False, message=" ".join(error.messages)))
        else:
            outcomes.append(BulkOutcome(process=process, done=True, message=str(chosen.done)))
    return outcomes
