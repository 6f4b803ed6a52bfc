"""The one state machine of InvoiceProcess, and the Execution every manual transition writes.

    AWAITING_DOWNLOAD → AWAITING_APPROVAL      download (RPA) or manual upload
    AWAITING_APPROVAL → AWAITING_SAT_UPLOAD    approval
    AWAITING_APPROVAL → AWAITING_DOWNLOAD      rejection (the file stays, see InvoiceRejection)
    AWAITING_SAT_UPLOAD → SAT_UPLOADED         SAT upload (RPA)

Each move is one conditional UPDATE (orchestration.services.transitions): a move that is not allowed, or
that another writer won, raises IllegalTransition, which the API answers with 409."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from orchestration.client_ip import client_ip
from orchestration.invoices.models import InvoiceProcess, InvoiceStatus
from orchestration.models import Execution, LogLevel, Trigger, User
from orchestration.services.executions import execution_create, execution_log, execution_start, execution_succeed
from orchestration.services.transitions import StatusMachine

INVOICE_MACHINE = StatusMachine(
    InvoiceProcess,
    {
        InvoiceStatus.AWAITING_APPROVAL: {InvoiceStatus.AWAITING_DOWNLOAD},
        InvoiceStatus.AWAITING_SAT_UPLOAD: {InvoiceStatus.AWAITING_APPROVAL},
        InvoiceStatus.AWAITING_DOWNLOAD: {InvoiceStatus.AWAITING_APPROVAL},
        InvoiceStatus.SAT_UPLOADED: {InvoiceStatus.AWAITING_SAT_UPLOAD},
    },
)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change, from where: recorded on the Execution the change writes."""

    user: User | None = None
    ip: str | None = None
    user_agent: str = ""
    trigger: str = Trigger.MANUAL

    @classmethod
    def from_request(cls, request: HttpRequest, trigger: str = Trigger.API) -> "Actor":
        user = request.user if request.user.is_authenticated else None
        return cls(
            user=user,
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            trigger=trigger,
        )

    def execution_fields(self) -> dict[str, Any]:
        return {"trigger": self.trigger, "user": self.user, "ip": self.ip, "user_agent": self.user_agent}


SYSTEM = Actor(trigger=Trigger.SCHEDULE)


def process_transition_recorded(
    *,
    process: InvoiceProcess,
    to: str,
    kind: str,
    actor: Actor,
    message: str,
    parameters: dict[str, Any] | None = None,
    **fields: Any,
) -> Execution:
    """Moves `process` to `to` and writes a SUCCEEDED Execution of `kind` about it, in one transaction;
    IllegalTransition (nothing written) when the move is not allowed from its status now."""
    with transaction.atomic():
        INVOICE_MACHINE.apply_or_raise(process, to=to, **fields)
        execution = execution_create(
            kind=kind,
            parameters={"process_id": process.pk, "to": to, **(parameters or {})},
            subject=process,
            **actor.execution_fields(),
        )
        execution_start(execution=execution)
        execution_log(execution=execution, message=message, level=LogLevel.INFO)
        execution_succeed(execution=execution)
    return execution
