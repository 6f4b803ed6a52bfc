"""The source's scripts (`./scripts.sh whatsapp-status|whatsapp-sync|whatsapp-cleanup`) as one command:
`manage.py whatsapp status|sync|cleanup|check-inactive [--session ID]`, run here in the foreground."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from orchestration.models import Execution, ExecutionStatus, Trigger
from whatsapp_health.checks import provider_state_fetch, session_endpoint
from whatsapp_health.exceptions import SessionNotFound
from whatsapp_health.models import SessionStatus, WhatsAppSession
from whatsapp_health.runs import conversations_close_run, session_check_run, sessions_check_run, sessions_cleanup_run


class Command(BaseCommand):
    help = "Situação e manutenção das sessões do WhatsApp: status, sync, cleanup, check-inactive."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["status", "sync", "cleanup", "check-inactive"])
        parser.add_argument("--session", type=int, help="id da sessão (status e sync); sem ele: a padrão / todas")
        parser.add_argument("--force", action="store_true", help="sync: aplica o estado do provedor sem esperar")

    def _session(self, session_id: int | None) -> WhatsAppSession:
        try:
            if session_id is not None:
                return WhatsAppSession.objects.get(pk=session_id)
            return self._default()
        except WhatsAppSession.DoesNotExist as error:
            raise CommandError(_("Sessão do WhatsApp %(id)s não encontrada.") % {"id": session_id}) from error

    def _default(self) -> WhatsAppSession:
        session = (
            WhatsAppSession.objects.filter(is_default=True)
            .exclude(status=SessionStatus.ARCHIVED)
            .order_by("pk")
            .first()
        )
        if session is None:
            raise CommandError(str(SessionNotFound(None)))
        return session

    def _finish(self, execution: Execution) -> None:
        for line in execution.log_lines.order_by("id").values_list("message", flat=True):
            self.stdout.write(line)
        self.stdout.write(_("Execução #%(id)d: %(status)s") % {"id": execution.pk, "status": execution.status})
        if execution.status not in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL):
            raise CommandError(execution.error or execution.get_status_display())

    def handle(self, *args: Any, **options: Any) -> None:
        action, session_id = options["action"], options["session"]
        if action == "status":
            session = self._session(session_id)
            result = provider_state_fetch(session_endpoint(session))
            body = {
                "connected": result.state is not None and result.state.status == SessionStatus.CONNECTED,
                "timestamp": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "session": session.pk,
                "status": result.state.status if result.state else None,
                "stored_status": session.status,
            }
            if result.error:
                body["error"] = result.error
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        if action == "sync" and session_id is not None:
            execution = session_check_run(self._session(session_id), force=options["force"], trigger=Trigger.MANUAL)
        elif action == "sync":
            execution = sessions_check_run(trigger=Trigger.MANUAL, force=options["force"])
        elif action == "cleanup":
            execution = sessions_cleanup_run(trigger=Trigger.MANUAL)
        else:
            execution = conversations_close_run(trigger=Trigger.MANUAL)
        self._finish(execution)
