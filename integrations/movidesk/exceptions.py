"""Domain errors of the Movidesk integration."""

from django.utils.translation import gettext as _

from orchestration.exceptions import OrchestraError


class MovideskNotConfigured(OrchestraError):
    """No token anywhere (admin, environment) and no demo simulator: fail fast, never retry."""


class MovideskResponseError(OrchestraError):
    """A response that is JSON but not a ticket list (or a page with no usable ticket to page on)."""


class MovideskPageError(OrchestraError):
    """A page could not be used; the pages before it are already committed."""

    def __init__(self, page: int, detail: str, window: str = "") -> None:
        self.page = page
        where = _(" da janela %(window)s") % {"window": window} if window else ""
        kept = " " + _("As %(count)d páginas anteriores já foram gravadas.") % {"count": page - 1} if page > 1 else ""
        message = _("Resposta inválida do Movidesk na página %(page)d%(where)s: %(detail)s.")
        super().__init__(message % {"page": page, "where": where, "detail": detail} + kept)
