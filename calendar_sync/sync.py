"""The jobs, each one Execution in the ledger: sync one integration (push, then pull), sync one appointment,
delete one event, disconnect, and the periodic fan-outs over every active integration.

A revoked grant turns the integration off (oauth.integration_revoked) and fails the run without a retry;
rate limits and server errors are retried by the client and, past that, by the runner (TransientError).
"""

import contextlib
from typing import Any

from celery import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.channels import channel_ensure, channel_stop
from calendar_sync.clients.google_calendar import GoogleCalendarClient, GrantRevokedError
from calendar_sync.clients.google_calendar_records import BatchOperation, EventGoneError
from calendar_sync.configuration import calendar_client
from calendar_sync.models import Appointment, GoogleCalendarIntegration, LogAction, LogDirection, LogStatus
from calendar_sync.oauth import integration_revoked
from calendar_sync.pull import pull_changes
from calendar_sync.push import appointments_to_push, push_appointments
from calendar_sync.reconcile import apply_remote, push_window
from calendar_sync.sync_log import SyncLogBuffer
from orchestration.models import Execution, Trigger
from orchestration.services.fanout import ChildSpec
from orchestration.services.runner import JobContext, execution_run

SYNC_KIND = "CALENDAR_SYNC"
SYNC_ALL_KIND = "CALENDAR_SYNC_ALL"
SYNC_RECENT_KIND = "CALENDAR_SYNC_RECENT"
APPOINTMENT_KIND = "CALENDAR_APPOINTMENT_SYNC"
EVENT_DELETE_KIND = "CALENDAR_EVENT_DELETE"
DISCONNECT_KIND = "CALENDAR_DISCONNECT"
TOKEN_CLEANUP_KIND = "CALENDAR_TOKEN_CLEANUP"  # noqa: S105 - an execution kind, not a secret

INTEGRATION_TASK = "calendar_sync.integration_sync"
MODES = ("recent", "all", "full")


def integration_lock(integration_id: int) -> str:
    return f"calendar:integration:{integration_id}"


def _client_or_revoked(context: JobContext, integration: GoogleCalendarIntegration) -> GoogleCalendarClient:
    client = calendar_client(integration, log=context.log)
    try:
        client.ensure_token()
    except GrantRevokedError as error:
        client.close()
        integration_revoked(integration=integration, detail=error.detail)
        context.log(_("Integração desativada: o Google recusou a autorização (invalid_grant)."), "ERROR")
        raise
    return client


def integration_sync_job(context: JobContext) -> None:
    parameters: dict[str, Any] = context.execution.parameters
    integration = GoogleCalendarIntegration.objects.select_related("user").get(pk=parameters["integration_id"])
    mode = parameters.get("mode", "recent")
    if not integration.is_active or not integration.refresh_token:
        context.log(_("Integração desativada: nada a sincronizar."), "WARNING")
        context.set_counters(skipped=1)
        return
    client = _client_or_revoked(context, integration)
    log = SyncLogBuffer(integration, context.execution)
    counters: dict[str, int] = {}
    try:
        start, end = push_window(integration)
        if mode == "full":
            integration.sync_token = ""
            GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(sync_token="")
        if integration.pushes:
            wanted = appointments_to_push(integration, start=start, end=end, everything=mode == "full")
            pushed = push_appointments(
                client=client,
                integration=integration,
                appointments=wanted.iterator(chunk_size=1000),
                log=log,
                commit=context.checkpoint,
                chunk_size=client.batch_size,
            )
            counters.update(
                created=pushed.created,
                updated=pushed.updated,
                deleted=pushed.deleted,
                push_errors=pushed.errors,
                conflicts=pushed.conflicts,
                push_skipped=pushed.skipped,
            )
            context.log(
                _("Para o Google: %(c)d criados, %(u)d alterados, %(d)d excluídos, %(e)d com erro.")
                % {"c": pushed.created, "u": pushed.updated, "d": pushed.deleted, "e": pushed.errors}
            )
        if integration.pulls:
            pulled = pull_changes(
                client=client, integration=integration, log=log, atomic=context.atomic, time_min=start, say=context.log
            )
            counters.update(
                pages=pulled.pages,
                listed=pulled.listed,
                applied=pulled.applied,
                echoes=pulled.echoes,
                conflicts=counters.get("conflicts", 0) + pulled.conflicts,
                full_resync=int(pulled.full_resync),
            )
            context.log(
                _("Do Google: %(l)d eventos lidos, %(a)d aplicados, %(e)d já conhecidos, %(c)d conflitos.")
                % {"l": pulled.listed, "a": pulled.applied, "e": pulled.echoes, "c": pulled.conflicts}
            )
        channel_ensure(client=client, integration=integration, say=context.log)
        integration.last_sync_at = timezone.now()
        GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(last_sync_at=integration.last_sync_at)
        counters.update(http_requests=client.requests_sent, api_calls=client.calls_sent)
        context.set_counters(**counters)
        context.partial = bool(counters.get("push_errors"))
    finally:
        log.flush()
        client.close()


def appointment_sync_job(context: JobContext) -> None:
    appointment = (
        Appointment.objects.select_related("professional")
        .filter(pk=context.execution.parameters["appointment_id"])
        .first()
    )
    if appointment is None:
        context.log(_("O agendamento não existe mais."), "WARNING")
        return
    integration = (
        GoogleCalendarIntegration.objects.select_related("user")
        .filter(user_id=appointment.professional_id, is_active=True)
        .first()
    )
    if integration is None or not integration.pushes:
        context.log(_("O profissional não tem integração ativa que envie ao Google."), "WARNING")
        return
    resolve = context.execution.parameters.get("resolve", "")
    if resolve:
        _resolve_conflict(appointment, integration, resolve)
    client = _client_or_revoked(context, integration)
    log = SyncLogBuffer(integration, context.execution)
    try:
        result = push_appointments(client=client, integration=integration, appointments=[appointment], log=log)
    finally:
        log.flush()
        client.close()
    context.set_counters(
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        errors=result.errors,
        conflicts=result.conflicts,
        skipped=result.skipped,
    )
    context.partial = bool(result.errors)


def _resolve_conflict(appointment: Appointment, integration: GoogleCalendarIntegration, keep: str) -> None:
    """A person chose: "local" pushes ours over Google's current version; "google" takes Google's."""
    client = calendar_client(integration)
    try:
        current = client.event_get(integration.calendar_id, appointment.event_id)
    finally:
        client.close()
    if keep == "google":
        apply_remote(appointment, current)
        return
    Appointment.objects.filter(pk=appointment.pk).update(sync_conflict="", google_etag=current.etag)
    appointment.refresh_from_db()


def event_delete_job(context: JobContext) -> None:
    parameters = context.execution.parameters
    integration = GoogleCalendarIntegration.objects.select_related("user").get(pk=parameters["integration_id"])
    if not integration.refresh_token:
        return
    client = _client_or_revoked(context, integration)
    log = SyncLogBuffer(integration, context.execution)
    try:
        with contextlib.suppress(EventGoneError):  # already gone: what we wanted
            client.event_delete(integration.calendar_id, parameters["event_id"])
        log.add(
            direction=LogDirection.TO_GOOGLE,
            action=LogAction.DELETE,
            status=LogStatus.SUCCESS,
            event_id=parameters["event_id"],
        )
    finally:
        log.flush()
        client.close()


def disconnect_job(context: JobContext) -> None:
    """Removes the events we created, stops the watch channel, revokes the grant, forgets the tokens."""
    integration = GoogleCalendarIntegration.objects.select_related("user").get(
        pk=context.execution.parameters["integration_id"]
    )
    if not integration.refresh_token:
        context.log(_("Já desconectada."))
        return
    client = calendar_client(integration, log=context.log)
    log = SyncLogBuffer(integration, context.execution)
    linked = Appointment.objects.filter(professional_id=integration.user_id).exclude(google_event_id="")
    try:
        try:
            client.ensure_token()
            operations = [BatchOperation(key=str(a.pk), method="delete", event_id=a.google_event_id) for a in linked]
            outcomes = client.events_batch(integration.calendar_id, operations) if operations else []
            removed = 0
            for operation, outcome in zip(operations, outcomes, strict=True):
                ok = outcome.error is None or isinstance(outcome.error, EventGoneError)
                removed += ok
                log.add(
                    direction=LogDirection.TO_GOOGLE,
                    action=LogAction.DELETE,
                    status=LogStatus.SUCCESS if ok else LogStatus.ERROR,
                    event_id=operation.event_id,
                    error="" if ok else str(outcome.error),
                )
            context.log(_("%(count)d eventos criados pelo Orquestra removidos do Google.") % {"count": removed})
            channel_stop(client=client, integration=integration)
            client.revoke()
        except GrantRevokedError:
            context.log(_("O Google já havia revogado a autorização: os eventos ficam na agenda."), "WARNING")
        linked.update(google_event_id="", google_etag="", google_fingerprint="", synced_at=None, synced_revision=0)
        GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
            access_token="",
            refresh_token="",
            token_expires_at=None,
            sync_token="",
            is_active=False,
            disabled_reason=_("Desconectada."),
            channel_id="",
            channel_resource_id="",
            channel_token="",
            channel_expires_at=None,
        )
    finally:
        log.flush()
        client.close()


def fan_out_job(context: JobContext) -> None:
    mode = context.execution.parameters.get("mode", "recent")
    active = GoogleCalendarIntegration.objects.filter(is_active=True).exclude(refresh_token="").order_by("pk")
    context.fan_out(
        ChildSpec(
            task=INTEGRATION_TASK,
            kind=SYNC_KIND,
            lock_key=integration_lock(integration.pk),
            parameters={"integration_id": integration.pk, "mode": mode},
            rate_limit_key=f"calendar:user:{integration.user_id}",
            subject=integration,
        )
        for integration in active
    )


def token_cleanup_job(context: JobContext) -> None:
    """Daily: tokens that can no longer work are erased (integrations turned off by a revoked grant), and
    expired access tokens of live integrations are renewed, so the "expired tokens" metric means trouble."""
    dead = GoogleCalendarIntegration.objects.filter(is_active=False).exclude(refresh_token="", access_token="")
    erased = dead.update(access_token="", refresh_token="", token_expires_at=None)
    renewed = failed = 0
    for integration in (
        GoogleCalendarIntegration.objects.filter(is_active=True, token_expires_at__lt=timezone.now())
        .exclude(refresh_token="")
        .select_related("user")
    ):
        client = calendar_client(integration, log=context.log)
        try:
            client.refresh()
            renewed += 1
        except GrantRevokedError as error:
            integration_revoked(integration=integration, detail=error.detail)
            failed += 1
        finally:
            client.close()
    context.set_counters(erased=erased, renewed=renewed, revoked=failed)


JOBS = {
    SYNC_KIND: integration_sync_job,
    APPOINTMENT_KIND: appointment_sync_job,
    EVENT_DELETE_KIND: event_delete_job,
    DISCONNECT_KIND: disconnect_job,
    SYNC_ALL_KIND: fan_out_job,
    SYNC_RECENT_KIND: fan_out_job,
    TOKEN_CLEANUP_KIND: token_cleanup_job,
}


def calendar_run(
    *,
    kind: str,
    execution_id: int | None = None,
    task: Task | None = None,
    trigger: str = Trigger.SCHEDULE,
    parameters: dict[str, Any] | None = None,
    lock_key: str = "",
) -> Execution:
    return execution_run(
        kind=kind,
        job=JOBS[kind],
        execution_id=execution_id,
        trigger=trigger,
        parameters=parameters,
        lock_key=lock_key or kind.lower(),
        task=task,
    )
