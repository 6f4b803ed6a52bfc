"""Push notifications: a watch channel per integration, renewed a day before it expires (Google never
renews one), whose notifications start an incremental sync. Only with GOOGLE_CALENDAR_WEBHOOK_URL set."""

import contextlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.clients.google_calendar import GoogleCalendarClient
from calendar_sync.models import GoogleCalendarIntegration
from orchestration.outbound import ExternalApiError, LogFn

CHANNEL_TTL_SECONDS = 7 * 24 * 3600
RENEW_BEFORE = timedelta(days=1)


def channel_ensure(
    *, client: GoogleCalendarClient, integration: GoogleCalendarIntegration, say: LogFn | None = None
) -> bool:
    """Opens a channel when there is none or the current one expires within a day; True if it opened one."""
    address = settings.GOOGLE_CALENDAR_WEBHOOK_URL
    if not address or not integration.pulls:
        return False
    expires = integration.channel_expires_at
    if integration.channel_id and expires is not None and expires - RENEW_BEFORE > timezone.now():
        return False
    old_id, old_resource = integration.channel_id, integration.channel_resource_id
    try:
        channel = client.watch(
            integration.calendar_id,
            channel_id=str(uuid.uuid4()),
            address=address,
            token=secrets.token_urlsafe(24),
            ttl_seconds=CHANNEL_TTL_SECONDS,
        )
    except ExternalApiError as error:
        if say is not None:
            say(_("Canal de notificações não aberto: %(error)s") % {"error": error}, "WARNING")
        return False
    GoogleCalendarIntegration.objects.filter(pk=integration.pk).update(
        channel_id=channel.id,
        channel_resource_id=channel.resource_id,
        channel_token=channel.token,
        channel_expires_at=channel.expires_at,
    )
    integration.channel_id, integration.channel_resource_id = channel.id, channel.resource_id
    integration.channel_token, integration.channel_expires_at = channel.token, channel.expires_at
    if old_id:
        # If this fails it expires on its own; its notifications no longer match our channel id.
        with contextlib.suppress(ExternalApiError):
            client.channel_stop(old_id, old_resource)
    if say is not None:
        until = timezone.localtime(channel.expires_at) if channel.expires_at else "?"
        say(_("Canal de notificações aberto até %(when)s.") % {"when": until}, "INFO")
    return True


def channel_stop(*, client: GoogleCalendarClient, integration: GoogleCalendarIntegration) -> None:
    if not integration.channel_id:
        return
    with contextlib.suppress(ExternalApiError):
        client.channel_stop(integration.channel_id, integration.channel_resource_id)


def channel_integration(*, channel_id: str, token: str) -> GoogleCalendarIntegration | None:
    """The integration a notification is for, if its channel token matches (compared in constant time)."""
    if not channel_id:
        return None
    integration = GoogleCalendarIntegration.objects.filter(channel_id=channel_id, is_active=True).first()
    if integration is None or not integration.channel_token:
        return None
    if not hmac.compare_digest(integration.channel_token.encode(), token.encode()):
        return None
    return integration
