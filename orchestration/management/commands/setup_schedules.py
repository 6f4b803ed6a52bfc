"""Creates or updates the periodic tasks the product ships; safe to run on every deploy."""

from typing import Any

from django.core.management.base import BaseCommand

from orchestration.services.schedules import schedules_setup


class Command(BaseCommand):
    help = "Cria ou atualiza os agendamentos do produto (idempotente; mantém o que o administrador alterou)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = schedules_setup()
        for name in report.created:
            self.stdout.write(self.style.SUCCESS(f"criado: {name}"))
        for name, fields in report.updated.items():
            self.stdout.write(self.style.WARNING(f"atualizado: {name} ({', '.join(fields)})"))
        for name in report.unchanged:
            self.stdout.write(f"sem alteração: {name}")
        for hook in report.hooks:
            self.stdout.write(f"gancho executado: {hook}")
        self.stdout.write(
            f"{len(report.created)} criado(s), {len(report.updated)} atualizado(s), "
            f"{len(report.unchanged)} sem alteração."
        )
