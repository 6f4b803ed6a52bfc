"""Hands calendar work to a worker: the only module that imports tasks (the tasks import the jobs they
run). Each function records a QUEUED execution now and sends its id once the transaction commits."""

from typing import Any

from django.db import transaction

from calendar_sync.models import Appointment, GoogleCalendarIntegration
from calendar_sync.sync import (
    APPOINTMENT_KIND,
    DISCONNECT_KIND,
    EVENT_DELETE_KIND,
    SYNC_KIND,
    integration_lock,
)
from calendar_sync.tasks import appointment_sync, disconnect, event_delete, integration_sync
from orchestration.models import Execution, Trigger, User
from orchestration.services.executions import execution_create


def _record(
    kind: str,
    *,
    trigger: str,
    user: User | None,
    parameters: dict[str, Any],
    lock_key: str,
    subject: Any,
    request_meta: dict[str, str] | None = None,
) -> Execution:
    meta = request_meta or {}
    return execution_create(
        kind=kind,
        trigger=trigger,
        parameters=parameters,
        user=user,
        ip=meta.get("ip"),
        user_agent=meta.get("user_agent", ""),
        lock_key=lock_key,
        subject=subject,
    )


def integration_sync_enqueue(
    integration: GoogleCalendarIntegration,
    *,
    mode: str = "recent",
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    request_meta: dict[str, str] | None = None,
) -> Execution:
    execution = _record(
        SYNC_KIND,
        trigger=trigger,
        user=user,
        parameters={"integration_id": integration.pk, "mode": mode},
        lock_key=integration_lock(integration.pk),
        subject=integration,
        request_meta=request_meta,
    )
    integration_sync.delay_on_commit(execution_id=execution.pk)
    return execution


def pushing_integration(appointment: Appointment) -> GoogleCalendarIntegration | None:
    integration = GoogleCalendarIntegration.objects.filter(user_id=appointment.professional_id, is_active=True).first()
    return integration if integration is not None and integration.pushes and integration.refresh_token else None


def appointment_sync_enqueue(
    appointment: Appointment,
    *,
    trigger: str = Trigger.MANUAL,
    user: User | None = None,
    resolve: str = "",
    request_meta: dict[str, str] | None = None,
) -> Execution:
    parameters: dict[str, Any] = {"appointment_id": appointment.pk}
    if resolve:
        parameters["resolve"] = resolve
    execution = _record(
        APPOINTMENT_KIND,
        trigger=trigger,
        user=user,
        parameters=parameters,
        lock_key=f"calendar:appointment:{appointment.pk}",
        subject=appointment,
        request_meta=request_meta,
    )
    appointment_sync.delay_on_commit(execution_id=execution.pk)
    return execution


def event_delete_enqueue(
    integration: GoogleCalendarIntegration, event_id: str, *, user: User | None = None
) -> Execution:
    execution = _record(
        EVENT_DELETE_KIND,
        trigger=Trigger.MANUAL,
        user=user,
        parameters={"integration_id": integration.pk, "event_id": event_id},
        lock_key=f"calendar:event:{event_id}",
        subject=integration,
    )
    event_delete.delay_on_commit(execution_id=execution.pk)
    return execution


def disconnect_enqueue(
    integration: GoogleCalendarIntegration, *, user: User | None = None, request_meta: dict[str, str] | None = None
) -> Execution:
    with transaction.atomic():
        GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(is_active=False)
        execution = _record(
            DISCONNECT_KIND,
            trigger=Trigger.API,
            user=user,
            parameters={"integration_id": integration.pk},
            lock_key=f"calendar:disconnect:{integration.pk}",
            subject=integration,
            request_meta=request_meta,
        )
        disconnect.delay_on_commit(execution_id=execution.pk)
    return execution
