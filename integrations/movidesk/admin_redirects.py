"""The tickets' admin moved from /admin/integrations/ticket/ to /admin/integrations/movideskticket/ when the
model became MovideskTicket; people have bookmarks, so every old address answers with a permanent redirect."""

from typing import Any

from django.urls import URLPattern, re_path, reverse
from django.utils.encoding import escape_uri_path
from django.views.generic import RedirectView


class OldTicketAdminRedirect(RedirectView):
    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        url = reverse("admin:integrations_movideskticket_changelist") + escape_uri_path(kwargs.get("rest", ""))
        query = self.request.META.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url


urlpatterns: list[URLPattern] = [
    re_path(r"^(?P<rest>.*)$", OldTicketAdminRedirect.as_view(), name="movidesk-old-ticket-admin"),
]
