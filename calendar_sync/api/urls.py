"""calendar_sync's API: /api/v1/appointments/ and /api/v1/google-calendar/…"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from calendar_sync.api import views
from calendar_sync.api.appointments import AppointmentViewSet

router = SimpleRouter()
router.register("appointments", AppointmentViewSet, basename="appointment")

google = "google-calendar/"
urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{google}auth-url", views.AuthUrlView.as_view(), name="google-calendar-auth-url"),
    path(f"{google}oauth-callback", views.OAuthCallbackView.as_view(), name="google-calendar-oauth-callback"),
    path(f"{google}status", views.StatusView.as_view(), name="google-calendar-status"),
    path(f"{google}integration", views.IntegrationView.as_view(), name="google-calendar-integration"),
    path(f"{google}integration/toggle", views.ToggleView.as_view(), name="google-calendar-toggle"),
    path(f"{google}integration/sync-settings", views.SyncSettingsView.as_view(), name="google-calendar-sync-settings"),
    path(f"{google}sync/manual", views.ManualSyncView.as_view(), name="google-calendar-sync-manual"),
    path(
        f"{google}sync/appointment/<int:appointment_id>",
        views.AppointmentSyncView.as_view(),
        name="google-calendar-sync-appointment",
    ),
    path(f"{google}sync-logs", views.SyncLogsView.as_view(), name="google-calendar-sync-logs"),
    path(f"{google}metrics", views.MetricsView.as_view(), name="google-calendar-metrics"),
    path(f"{google}notifications", views.NotificationView.as_view(), name="google-calendar-notifications"),
    *router.urls,
]
