from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrchestrationConfig(AppConfig):
    name = "orchestration"
    verbose_name = _("Orquestração")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from orchestration import signals
        from orchestration.api import fields  # noqa: F401  (maps EncryptedTextField to a write-only SecretField)
        from orchestration.monitoring.collector import register_collector

        # Later migrations add permissions; keep the role groups complete after every migrate.
        post_migrate.connect(signals.sync_role_groups)
        register_collector()
