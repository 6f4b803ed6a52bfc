"""`manage.py sync_calendars [--user EMAIL] [--full]`: syncs the active Google calendars now, in the foreground."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from calendar_sync.models import GoogleCalendarIntegration
from calendar_sync.sync import SYNC_KIND, calendar_run, integration_lock
from orchestration.models import ExecutionStatus, Trigger
from orchestration.services.executions import execution_create


class Command(BaseCommand):
    help = _("Sincroniza agora as agendas do Google ativas (todas, ou a de um usuário).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", metavar="EMAIL", help=_("Só a agenda deste usuário."))
        parser.add_argument(
            "--full",
            action="store_true",
            help=_(
                "Sincronização completa: reenvia a janela inteira e lê a agenda toda, sem o token de sincronização."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        integrations = GoogleCalendarIntegration.objects.filter(is_active=True).exclude(refresh_token="")
        if options["user"]:
            integrations = integrations.filter(user__email__iexact=options["user"])
            if not integrations.exists():
                raise CommandError(
                    _("Nenhuma integração ativa com o Google Agenda para %(email)s.") % {"email": options["user"]}
                )
        mode = "full" if options["full"] else "all"
        failed = 0
        for integration in integrations.select_related("user").order_by("pk"):
            execution = execution_create(
                kind=SYNC_KIND,
                trigger=Trigger.MANUAL,
                parameters={"integration_id": integration.pk, "mode": mode},
                lock_key=integration_lock(integration.pk),
                user_agent="manage.py sync_calendars",
                subject=integration,
            )
            execution = calendar_run(kind=SYNC_KIND, execution_id=execution.pk, trigger=Trigger.MANUAL)
            counters = ", ".join(f"{name}={value}" for name, value in sorted(execution.counters.items()))
            self.stdout.write(
                f"{integration.user.email}: {execution.get_status_display()} (#{execution.pk}) {counters}".rstrip()
            )
            if execution.status not in (ExecutionStatus.SUCCEEDED, ExecutionStatus.PARTIAL):
                failed += 1
                if execution.error:
                    self.stderr.write(f"  {execution.error}")
        if failed:
            raise CommandError(_("%(count)d agendas não sincronizaram.") % {"count": failed})
