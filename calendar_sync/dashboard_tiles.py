"""calendar_sync's dashboard tile: integrations whose Google token was revoked or expired for good (see
orchestration.registries.console)."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_sync.selectors import integrations_visible
from orchestration.console.attention import AttentionItem, attention_context
from orchestration.models import User
from orchestration.registries.console import DashboardTile, register_tile


def broken_tokens_context(user: User) -> dict[str, Any] | None:
    visible = integrations_visible(user)
    if not user.has_perm("calendar_sync.view_googlecalendarintegration") and not visible.exists():
        return None
    # Revoked: turned off by an invalid_grant (the reason says so). Expired: past its expiry with no refresh
    # token to renew it (an access token with a refresh token is renewed before use, so is not listed).
    broken = visible.filter(
        Q(is_active=False) & ~Q(disabled_reason="") | Q(token_expires_at__lt=timezone.now(), refresh_token="")
    )
    items = [
        AttentionItem(
            label=str(integration.user),
            url=reverse("admin:calendar_sync_googlecalendarintegration_change", args=[integration.pk]),
            detail=integration.disabled_reason or _("token expirado sem renovação"),
            badge=_("revogado") if not integration.is_active else _("expirado"),
        )
        for integration in broken.order_by("user__name", "pk")[:8]
    ]
    list_url = reverse("admin:calendar_sync_googlecalendarintegration_changelist") + "?is_active__exact=0"
    return attention_context(
        items, total=broken.count(), list_url=list_url, empty=_("Nenhum token expirado ou revogado.")
    )


register_tile(
    DashboardTile(
        "calendar_broken_tokens",
        gettext_lazy("Agendas do Google com token expirado ou revogado"),
        "console/tiles/attention.html",
        broken_tokens_context,
        order=80,
    )
)
