"""The app's domain errors (the API maps them to 400/403/404)."""

from django.utils.translation import gettext

from orchestration.exceptions import OrchestraError, ValidationFailed


class SessionNotFound(OrchestraError):
    def __init__(self, session_id: object) -> None:
        if session_id is None:
            message = gettext("Nenhuma sessão do WhatsApp padrão; informe ?session=ID ou marque uma como padrão.")
        else:
            message = gettext("Sessão do WhatsApp %(id)s não encontrada.") % {"id": session_id}
        super().__init__(message)
        self.session_id = session_id


class WebhookForbidden(OrchestraError):
    """A webhook whose key or signature matches no session."""


class WebhookInvalid(ValidationFailed):
    """A webhook body we cannot read."""


class ImportInvalid(ValidationFailed):
    """A CSV with row-level errors; `errors` lists them as "linha N, coluna: problema"."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors
