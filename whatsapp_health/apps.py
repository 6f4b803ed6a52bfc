from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatsAppHealthConfig(AppConfig):
    name = "whatsapp_health"
    verbose_name = _("Saúde do WhatsApp")
