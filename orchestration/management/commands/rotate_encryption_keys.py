"""Re-encrypts every stored secret with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart, run this
command, then remove the old keys."""

from typing import Any

from django.core.management.base import BaseCommand

from orchestration.fields import encrypted_values_rotate


class Command(BaseCommand):
    help = "Cifra de novo todos os segredos salvos com a primeira chave de FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten = encrypted_values_rotate()
        self.stdout.write(self.style.SUCCESS(f"{rewritten} registro(s) cifrado(s) com a chave atual."))
