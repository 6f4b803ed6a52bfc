"""Kommo's dashboard tile: the accounts that need a new authorization (see orchestration.registries.console)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.kommo.models import AuthState, KommoAccount
from orchestration.console.attention import AttentionItem, attention_context
from orchestration.models import User
from orchestration.registries.console import DashboardTile, register_tile


def reauthorization_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm("integrations.view_kommoaccount"):
        return None
    pending = KommoAccount.objects.filter(active=True, auth_state=AuthState.NEEDS_REAUTHORIZATION)
    items = [
        AttentionItem(
            label=account.name,
            url=reverse("admin:integrations_kommoaccount_change", args=[account.pk]),
            detail=account.auth_error,
            badge=account.subdomain,
            badge_class="warn",
        )
        for account in pending.order_by("name", "pk")[:8]
    ]
    list_url = (
        reverse("admin:integrations_kommoaccount_changelist")
        + f"?active__exact=1&auth_state__exact={AuthState.NEEDS_REAUTHORIZATION}"
    )
    return attention_context(items, total=pending.count(), list_url=list_url, empty=_("Todas as contas autorizadas."))


register_tile(
    DashboardTile(
        "kommo_reauthorization",
        gettext_lazy("Contas Kommo precisando de nova autorização"),
        "console/tiles/attention.html",
        reauthorization_context,
        order=70,
    )
)
