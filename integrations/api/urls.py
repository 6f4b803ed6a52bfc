from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from integrations.api.movidesk_views import MovideskSettingsView, MovideskSyncView, TicketViewSet

router = SimpleRouter(trailing_slash=False)
router.register("movidesk/tickets", TicketViewSet, basename="movidesk-ticket")

urlpatterns: list[URLPattern | URLResolver] = [
    path("movidesk/sync", MovideskSyncView.as_view(), name="movidesk-sync"),
    path("movidesk/settings", MovideskSettingsView.as_view(), name="movidesk-settings"),
    *router.urls,
]
