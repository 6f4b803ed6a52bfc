"""`manage.py backup_database`: the daily database backup, now (pg_dump, or SQLite's online backup API)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import Trigger
from orchestration.services.maintenance import database_backup_run, finished_well


class Command(BaseCommand):
    help = "Faz o backup do banco de dados no armazenamento de arquivos, em backups/, e imprime a chave."

    def handle(self, *args: Any, **options: Any) -> None:
        execution = database_backup_run(trigger=Trigger.MANUAL)
        if not finished_well(execution):
            raise CommandError(f"Backup falhou (execução #{execution.pk}): {execution.error}")
        counters = execution.counters
        self.stdout.write(f"Execução #{execution.pk}: {counters['size_bytes']} bytes, SHA-256 {counters['sha256']}")
        self.stdout.write(str(counters["key"]))
