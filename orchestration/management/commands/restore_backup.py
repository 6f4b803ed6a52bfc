"""`manage.py restore_backup KEY [--target-url URL] [--yes]`: a backup from storage back into a database."""

from typing import Any

import environ
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orchestration.services.maintenance import database_restore_run, finished_well


class Command(BaseCommand):
    help = (
        "Restaura um backup (chave em backups/, como impressa por backup_database) neste banco de dados, ou em "
        "outro com --target-url. Sobre este banco, pare antes web, worker e beat: todas as tabelas são trocadas."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", metavar="CHAVE", help="ex.: backups/orquestra-postgresql-20260301T050000Z.dump")
        parser.add_argument(
            "--target-url", help="restaura em outro banco (postgres://.../nome ou sqlite:////caminho), já criado"
        )
        parser.add_argument("--yes", action="store_true", help="não pergunta antes de substituir este banco")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="nunca pergunta (exige --yes)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["key"]
        target = environ.Env.db_url_config(options["target_url"]) if options["target_url"] else None
        if target is None and not options["yes"]:
            if not options["interactive"]:
                raise CommandError("Restaurar sobre este banco apaga os dados atuais: confirme com --yes.")
            answer = input(f"Substituir TODOS os dados deste banco pelo backup {key}? Digite 'sim': ")
            if answer.strip().lower() != "sim":
                raise CommandError("Restauração cancelada.")
        execution = database_restore_run(key=key, target=target)
        if not finished_well(execution):
            raise CommandError(f"Restauração falhou: {execution.error}")
        where = f"em {target['NAME']}" if target else "neste banco"
        self.stdout.write(f"Backup {key} restaurado {where} (execução #{execution.pk}).")
