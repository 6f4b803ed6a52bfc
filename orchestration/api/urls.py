from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from orchestration.api.alerts import AlertViewSet, NotificationPreferencesView, NotificationViewSet
from orchestration.api.users import ObtainTokenView, UserViewSet
from orchestration.api.views import ExecutionViewSet
from orchestration.views.stream import execution_stream

router = DefaultRouter()
router.register("executions", ExecutionViewSet, basename="execution")
router.register("users", UserViewSet, basename="user")
router.register("alerts", AlertViewSet, basename="alert")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns: list[URLPattern | URLResolver] = [
    # The invoice pipeline's carriers, accounts and monthly report (before any invoice-processes router).
    path("", include("orchestration.invoices.api.account_urls")),
    # Server-Sent Events; an async view served by the ASGI server (see orchestration/live/).
    path("executions/<int:pk>/stream", execution_stream, name="execution-stream"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    # Before the router: "me" is not a user id.
    path(
        "users/me/notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="user-me-notification-preferences",
    ),
    *router.urls,
    # The invoice pipeline (a sub-package the shared modules never import); a `report/` route of its own
    # placed before this include wins over the processes' router (whose ids are digits only).
    path("", include("orchestration.invoices.api.urls")),
]
