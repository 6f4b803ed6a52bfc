from django.db import models
from django.utils.translation import gettext_lazy as _


class JobLock(models.Model):
    """The no-overlap lock when Redis is not configured: one row per held key, with an expiry."""

    key = models.CharField(_("chave"), max_length=120, primary_key=True)
    owner = models.CharField(_("dono"), max_length=64)
    expires_at = models.DateTimeField(_("expira em"))

    class Meta:
        verbose_name = _("trava de execução")
        verbose_name_plural = _("travas de execução")

    def __str__(self) -> str:
        return self.key
