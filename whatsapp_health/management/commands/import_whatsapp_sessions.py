from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orchestration.models import Company
from whatsapp_health.csv_import import sessions_import
from whatsapp_health.exceptions import ImportInvalid


class Command(BaseCommand):
    help = "Importa sessões do WhatsApp de um CSV (colunas: name, provider, base_url, api_key, instance, phone)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="arquivo CSV, UTF-8, com cabeçalho")
        parser.add_argument("--skip-invalid", action="store_true", help="importa as linhas válidas e lista as outras")
        parser.add_argument("--company", help="nome da empresa a que as sessões novas pertencem")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Não foi possível ler %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        company = None
        if options["company"]:
            company = Company.objects.filter(name=options["company"]).first()
            if company is None:
                raise CommandError(_("Empresa “%(name)s” não encontrada.") % {"name": options["company"]})
        try:
            report = sessions_import(text, skip_invalid=options["skip_invalid"], company=company)
        except ImportInvalid as error:
            for line in error.errors:
                self.stderr.write(f"  {line}")
            raise CommandError(str(error)) from error
        for line in report.errors:
            self.stderr.write(_("  ignorada: %(line)s") % {"line": line})
        self.stdout.write(
            _("%(created)d sessões criadas, %(updated)d atualizadas, %(skipped)d linhas com erro ignoradas.")
            % {"created": report.created, "updated": report.updated, "skipped": len(report.errors)}
        )
