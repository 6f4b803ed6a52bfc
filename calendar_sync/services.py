"""Writes of appointments and of integration settings. Every change a person makes to an appointment bumps
its revision and, once the transaction commits, queues its sync to Google (never inside the request)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from calendar_sync.enqueue import appointment_sync_enqueue, event_delete_enqueue, pushing_integration
from calendar_sync.models import Appointment, ConflictResolution, GoogleCalendarIntegration, SyncDirection
from orchestration.models import Company, Execution, Role, Trigger, User

# What a change to one of these makes Google's copy stale.
SYNCED_FIELDS = frozenset(
    {
        "client_name",
        "client_phone",
        "client_email",
        "service",
        "start",
        "duration_minutes",
        "status",
        "notes",
        "professional",
    }
)
SETTINGS_FIELDS = (
    "sync_direction",
    "sync_past_days",
    "sync_future_days",
    "event_prefix",
    "include_client_info",
    "include_notes",
    "reminder_minutes",
    "conflict_resolution",
    "timezone",
    "calendar_id",
)


def _check_tenant(*, company: Company | None, professional: User) -> Company:
    company = company or professional.company
    if company is None:
        raise ValidationError({"professional": _("O profissional não pertence a nenhuma empresa.")})
    if professional.company_id != company.pk:
        raise ValidationError({"professional": _("O profissional pertence a outra empresa.")})
    return company


def _enqueue_if_connected(appointment: Appointment, user: User | None) -> Execution | None:
    if pushing_integration(appointment) is None:
        return None
    return appointment_sync_enqueue(appointment, trigger=Trigger.MANUAL, user=user)


def appointment_create(
    *, professional: User, user: User | None = None, company: Company | None = None, **fields: Any
) -> Appointment:
    with transaction.atomic():
        appointment = Appointment(
            professional=professional, company=_check_tenant(company=company, professional=professional), **fields
        )
        appointment.full_clean()
        appointment.save()
        _enqueue_if_connected(appointment, user)
    return appointment


def appointment_update(*, appointment: Appointment, user: User | None = None, **changes: Any) -> Appointment:
    with transaction.atomic():
        for name, value in changes.items():
            setattr(appointment, name, value)
        _check_tenant(company=appointment.company, professional=appointment.professional)
        appointment.full_clean()
        touched = SYNCED_FIELDS & set(changes)
        if touched:
            appointment.revision = F("revision") + 1
            # A person edited it after a conflict: this version is the one they want in Google.
            appointment.sync_conflict = ""
        appointment.save()
        appointment.refresh_from_db()
        if touched:
            _enqueue_if_connected(appointment, user)
    return appointment


def appointment_delete(*, appointment: Appointment, user: User | None = None) -> None:
    with transaction.atomic():
        integration = pushing_integration(appointment)
        event_id = appointment.google_event_id
        appointment.delete()
        if integration is not None and event_id:
            event_delete_enqueue(integration, event_id, user=user)


def appointment_resolve_conflict(*, appointment: Appointment, keep: str, user: User | None = None) -> Execution:
    if not appointment.sync_conflict:
        raise ValidationError(_("Este agendamento não tem conflito de sincronização."))
    if keep not in ("local", "google"):
        raise ValidationError({"keep": _("Use 'local' ou 'google'.")})
    if pushing_integration(appointment) is None:
        raise ValidationError(_("O profissional não tem integração ativa com o Google Agenda."))
    return appointment_sync_enqueue(appointment, trigger=Trigger.API, user=user, resolve=keep)


def integration_settings_update(*, integration: GoogleCalendarIntegration, **changes: Any) -> GoogleCalendarIntegration:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("Campos desconhecidos: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    calendar_changed = "calendar_id" in changes and changes["calendar_id"] != integration.calendar_id
    for name, value in changes.items():
        setattr(integration, name, value)
    integration.full_clean(exclude=["user"])
    if calendar_changed:
        integration.sync_token = ""  # another calendar: its changes are listed from the start
    integration.save()
    return integration


def integration_toggle(
    *, integration: GoogleCalendarIntegration, active: bool | None = None
) -> GoogleCalendarIntegration:
    wanted = (not integration.is_active) if active is None else active
    if wanted and not integration.refresh_token:
        raise ValidationError(_("Conecte a agenda do Google antes de ativar a sincronização."))
    integration.is_active = wanted
    if wanted:
        integration.disabled_reason = ""
    integration.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    return integration


def tenant_of(user: User) -> Company:
    if user.company is None:
        raise ValidationError(_("Seu usuário não pertence a nenhuma empresa: peça a um administrador."))
    return user.company


def can_manage_all(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


__all__ = ["ConflictResolution", "SyncDirection"]
