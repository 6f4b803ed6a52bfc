"""`manage.py import_kommo_accounts FILE.csv`: registers (or updates, by subdomain) many Kommo accounts at
once. Columns by header: subdomain, name, role, then access_token, refresh_token, expires_at (ISO 8601) or
long_lived_token; optional client_id, client_secret, redirect_uri. One bad row: nothing is written."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from integrations.kommo.importing import ImportRefused, accounts_import


class Command(BaseCommand):
    help = "Importa contas Kommo de um CSV (tudo ou nada)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="ARQUIVO.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("Não foi possível ler %(path)s: %(error)s") % {"path": path, "error": error}) from None
        try:
            result = accounts_import(content)
        except ImportRefused as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(_("Nada foi importado: %(count)d erro(s).") % {"count": len(error.errors)}) from None
        self.stdout.write(
            _("Contas importadas: %(created)d novas, %(updated)d atualizadas.")
            % {"created": len(result.created), "updated": len(result.updated)}
        )
