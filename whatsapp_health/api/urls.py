from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from whatsapp_health.api import views
from whatsapp_health.api.webhooks import EvolutionEventWebhookView, EvolutionWebhookView, WahaWebhookView

router = SimpleRouter()
router.register("sessions", views.WhatsAppSessionViewSet, basename="whatsapp-session")

# The source's paths, unchanged (`/whatsapp/status`, `/whatsapp/sync-status`, ...), under /api/v1/.
urlpatterns: list[URLPattern | URLResolver] = [
    path("status", views.WhatsAppStatusView.as_view(), name="whatsapp-status"),
    path("sync-status", views.SyncStatusView.as_view(), name="whatsapp-sync-status"),
    path("sync-all-sessions", views.SyncAllSessionsView.as_view(), name="whatsapp-sync-all-sessions"),
    path("force-sync", views.ForceSyncView.as_view(), name="whatsapp-force-sync"),
    path("force-sync-current", views.ForceSyncCurrentView.as_view(), name="whatsapp-force-sync-current"),
    path("cleanup-sessions", views.CleanupSessionsView.as_view(), name="whatsapp-cleanup-sessions"),
    path(
        "check-inactive-conversations",
        views.CheckInactiveConversationsView.as_view(),
        name="whatsapp-check-inactive-conversations",
    ),
    path("webhooks/evolution", EvolutionWebhookView.as_view(), name="whatsapp-webhook-evolution"),
    path(
        "webhooks/evolution/<slug:event>",
        EvolutionEventWebhookView.as_view(),
        name="whatsapp-webhook-evolution-event",
    ),
    path("webhooks/waha", WahaWebhookView.as_view(), name="whatsapp-webhook-waha"),
    *router.urls,
]
