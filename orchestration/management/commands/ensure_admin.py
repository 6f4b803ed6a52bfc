"""`manage.py ensure_admin`: the first administrator, created once; its generated password shown once."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.services.bootstrap import admin_ensure

DEFAULT_EMAIL = "admin@orquestra.local"


class Command(BaseCommand):
    help = _("Cria um administrador se não houver nenhum ativo (senha gerada exibida uma única vez).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default=os.environ.get("ORQUESTRA_ADMIN_EMAIL") or DEFAULT_EMAIL)

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        # The password only from the environment: a command-line argument would land in shell history and `ps`.
        password = os.environ.get("ORQUESTRA_ADMIN_PASSWORD") or None
        try:
            result = admin_ensure(email=email, password=password)
        except ValidationFailed as error:
            raise CommandError(str(error)) from error
        if not result.created:
            self.stdout.write(_("Administrador já existe: %(email)s") % {"email": result.user.email})
            return
        if result.generated_password is None:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Administrador criado: %(email)s (senha de ORQUESTRA_ADMIN_PASSWORD)") % {"email": email}
                )
            )
            return
        rule = "=" * 72
        self.stdout.write(
            "\n".join(
                [
                    rule,
                    _("Administrador criado: %(email)s") % {"email": result.user.email},
                    _("Senha gerada: %(password)s") % {"password": result.generated_password},
                    _("Anote agora: esta senha não será exibida de novo."),
                    rule,
                ]
            )
        )
