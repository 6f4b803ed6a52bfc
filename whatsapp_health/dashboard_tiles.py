"""whatsapp_health's dashboard tile: the sessions that are not connected (see orchestration.registries.console)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orchestration.console.attention import AttentionItem, attention_context
from orchestration.models import User
from orchestration.registries.console import DashboardTile, register_tile
from whatsapp_health.models import SessionStatus, WhatsAppSession
from whatsapp_health.selectors import sessions_visible_to

DOWN = (SessionStatus.CONNECTING, SessionStatus.QR_REQUIRED, SessionStatus.DISCONNECTED, SessionStatus.FAILED)


def _down_detail(session: WhatsAppSession) -> str:
    if session.last_check_error:
        return session.last_check_error
    if session.down_since:
        moment = timezone.localtime(session.down_since).strftime("%d/%m %H:%M")
        return _("fora do ar desde %(moment)s") % {"moment": moment}
    return ""


def sessions_down_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm("whatsapp_health.view_whatsappsession"):
        return None
    down = sessions_visible_to(user).filter(status__in=DOWN)
    items = [
        AttentionItem(
            label=session.name,
            url=reverse("admin:whatsapp_health_whatsappsession_change", args=[session.pk]),
            detail=_down_detail(session),
            badge=session.get_status_display(),
            badge_class="warn" if session.status == SessionStatus.CONNECTING else "bad",
        )
        for session in down.order_by("down_since", "pk")[:8]
    ]
    list_url = reverse("admin:whatsapp_health_whatsappsession_changelist") + "?status__in=" + ",".join(DOWN)
    return attention_context(items, total=down.count(), list_url=list_url, empty=_("Todas as sessões conectadas."))


register_tile(
    DashboardTile(
        "whatsapp_sessions_down",
        gettext_lazy("Sessões do WhatsApp fora do ar"),
        "console/tiles/attention.html",
        sessions_down_context,
        order=60,
    )
)
