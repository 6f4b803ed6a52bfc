"""`manage.py send_test_notification --user EMAIL`: one test message on each of the user's channels, now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orchestration.models import NotificationStatus, User
from orchestration.services.notifications import notification_send_test


class Command(BaseCommand):
    help = _("Envia uma notificação de teste por cada canal do usuário (e-mail, webhook) e mostra o resultado.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help=_("E-mail do usuário."))

    def handle(self, *args: Any, user: str, **options: Any) -> None:
        found = User.objects.lookup_for_login(user.strip().lower()) or User.objects.lookup_for_login(user.strip())
        if found is None:
            raise CommandError(_("Usuário não encontrado: %(email)s") % {"email": user})
        notifications = notification_send_test(user=found)
        if not notifications:
            raise CommandError(_("%(email)s não tem nenhum canal de notificação ativo.") % {"email": found.email})
        failed = False
        for notification in notifications:
            line = f"{notification.get_channel_display()}: {notification.status}"
            if notification.status == NotificationStatus.SENT:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                failed = True
                self.stdout.write(self.style.ERROR(f"{line} — {notification.last_error}"))
        if failed:
            raise CommandError(_("Ao menos um canal falhou."))
