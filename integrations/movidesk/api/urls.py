from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from integrations.movidesk.api.views import MovideskSettingsView, MovideskSyncView, MovideskTicketViewSet

router = SimpleRouter(trailing_slash=False)
router.register("tickets", MovideskTicketViewSet, basename="movidesk-ticket")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sync", MovideskSyncView.as_view(), name="movidesk-sync"),
    path("settings", MovideskSettingsView.as_view(), name="movidesk-settings"),
    *router.urls,
]
