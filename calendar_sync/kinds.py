"""calendar_sync's execution kinds (see orchestration.registries.kinds)."""

from django.utils.translation import gettext_lazy as _

from calendar_sync.sync import (
    APPOINTMENT_KIND,
    DISCONNECT_KIND,
    EVENT_DELETE_KIND,
    SYNC_ALL_KIND,
    SYNC_KIND,
    SYNC_RECENT_KIND,
    TOKEN_CLEANUP_KIND,
)
from orchestration.registries.kinds import ExecutionKind, register_kind

_CONCERNS = _("Google Agenda")

for code, label, task in (
    (SYNC_KIND, _("Sincronização de uma agenda do Google"), "calendar_sync.integration_sync"),
    (SYNC_ALL_KIND, _("Sincronização de todas as agendas do Google"), ""),
    (SYNC_RECENT_KIND, _("Sincronização das mudanças recentes com o Google Agenda"), ""),
    (APPOINTMENT_KIND, _("Envio de um agendamento ao Google Agenda"), "calendar_sync.appointment_sync"),
    (EVENT_DELETE_KIND, _("Exclusão de um evento no Google Agenda"), "calendar_sync.event_delete"),
    (DISCONNECT_KIND, _("Desconexão do Google Agenda"), "calendar_sync.disconnect"),
    (TOKEN_CLEANUP_KIND, _("Limpeza de tokens expirados do Google Agenda"), ""),
):
    register_kind(ExecutionKind(code, label, app="calendar_sync", concerns=_CONCERNS, task=task))
