from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """A customer company (tenant). Users, appointments and WhatsApp sessions belong to one; the apps that
    hold a company's data scope every query by it."""

    name = models.CharField(_("nome"), max_length=150, unique=True)
    is_active = models.BooleanField(_("ativa"), default=True)
    created_at = models.DateTimeField(_("cadastrada em"), auto_now_add=True)

    class Meta:
        verbose_name = _("empresa")
        verbose_name_plural = _("empresas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
