"""`manage.py load_demo`: the small demo data set of `make run` (skipped with DEMO_DATA=0)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orchestration.services.demo_data import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = _(
        "Carrega dados de demonstração: um usuário por perfil e execuções reais de cada integração contra os "
        "simuladores locais (o worker as executa)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if (settings.SETTINGS_MODULE or "").endswith(".production"):
            raise CommandError(_("Dados de demonstração não são carregados com as configurações de produção."))
        if not settings.DEMO_DATA:
            self.stdout.write(_("DEMO_DATA=0: dados de demonstração não carregados."))
            return
        loaded = demo_data_load()
        if loaded.users_created:
            self.stdout.write(_("Usuários de demonstração (senha: %(password)s):") % {"password": DEMO_PASSWORD})
            for user in loaded.users_created:
                self.stdout.write(f"  {user.email}  ({user.get_role_display()})")
        for line in loaded.history:
            self.stdout.write(line)
        if not loaded.users_created and not loaded.history:
            self.stdout.write(_("Dados de demonstração já carregados."))
