"""Domain errors of calendar_sync."""

from orchestration.exceptions import OrchestraError


class CalendarNotConfigured(OrchestraError):
    """No OAuth client configured (GOOGLE_CALENDAR_CLIENT_ID) and no demo simulator."""


class IntegrationMissing(OrchestraError):
    """The user has no Google Calendar integration (or it is off)."""


class OAuthStateInvalid(OrchestraError):
    """The OAuth callback came with a state we did not issue, already used or expired."""
