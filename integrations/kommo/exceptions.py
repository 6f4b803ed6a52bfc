"""Errors of the Kommo integration; messages are pt-BR and name the account."""

from orchestration.exceptions import OrchestraError


class KommoError(OrchestraError):
    """Base of the Kommo integration's own errors."""


class KommoNotConfigured(KommoError):
    """No active master, an account without credentials, a missing client id/secret."""


class KommoReauthorizationNeeded(KommoError):
    """The account's grant is gone (invalid_grant, revoked, a long-lived token refused): a person must
    authorize it again; retrying cannot help."""


class KommoLimitExceeded(KommoError):
    """Applying the plan would pass Kommo's limits (50 pipelines, 100 stages per pipeline)."""


class KommoResponseError(KommoError):
    """Kommo answered 2xx with a body we cannot read."""
