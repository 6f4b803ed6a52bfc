"""One client per WhatsApp provider behind one interface (`SessionProviderClient`); `client_for` picks it."""

from whatsapp_health.clients.base import ProviderState, SessionEndpoint, SessionProviderClient, client_for

__all__ = ["ProviderState", "SessionEndpoint", "SessionProviderClient", "client_for"]
