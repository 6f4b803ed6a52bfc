from django.db import models
from django.utils.translation import gettext_lazy as _

from orchestration.fields import EncryptedTextField


class ServiceCredential(models.Model):
    """An API token or password for one external service, kept encrypted and edited in the admin."""

    service = models.SlugField(
        _("serviço"), max_length=64, unique=True, help_text=_("Identificador do serviço, por exemplo: movidesk.")
    )
    label = models.CharField(_("descrição"), max_length=120, blank=True)
    secret = EncryptedTextField(_("segredo"), help_text=_("Guardado criptografado; nunca é exibido de volta."))
    updated_at = models.DateTimeField(_("atualizado em"), auto_now=True)

    class Meta:
        verbose_name = _("credencial de serviço")
        verbose_name_plural = _("credenciais de serviços")
        ordering = ["service"]

    def __str__(self) -> str:
        return self.label or self.service
