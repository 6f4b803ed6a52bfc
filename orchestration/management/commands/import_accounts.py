"""`manage.py import_accounts FILE.csv [--dry-run] [--skip-invalid]`: carrier accounts from a spreadsheet."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from orchestration.invoices.imports.run import carrier_accounts_import_run


class Command(BaseCommand):
    help = (
        "Importa contas das operadoras de um CSV (colunas pelo cabeçalho: razao_social, nome_sat, cnpj, "
        "operadora, filtro, servico, dados_sat, unidade, login_portal, senha_portal, cpf). Separador ; ou , e "
        "codificação UTF-8 ou Windows-1252 são detectados. Atualiza as contas existentes (mesmo CNPJ, "
        "operadora, unidade e serviço)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="ARQUIVO.csv")
        parser.add_argument("--dry-run", action="store_true", help="confere e conta, sem gravar nada")
        parser.add_argument("--skip-invalid", action="store_true", help="importa as linhas boas e ignora as com erro")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Não foi possível ler %(file)s: %(error)s") % {"file": path, "error": error}) from None
        with tqdm(file=self.stderr._out, total=0, unit=" linhas", desc=path.name, dynamic_ncols=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            run = carrier_accounts_import_run(
                source=data,
                filename=path.name,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )
        report, execution = run.report, run.execution
        if report is None:
            raise CommandError(run.problem)
        for warning in report.warnings:
            self.stderr.write(warning)
        for error in report.errors:
            self.stderr.write(str(error))
        prefix = _("Simulação (nada gravado). ") if report.dry_run else ""
        self.stdout.write(
            prefix
            + report.summary()
            + _(" (execução #%(id)d: %(status)s).") % {"id": execution.pk, "status": execution.get_status_display()}
        )
        if run.problem:
            raise CommandError(run.problem)
