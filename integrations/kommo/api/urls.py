from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from integrations.kommo.api.views import (
    KommoAccountViewSet,
    KommoAuthorizeView,
    KommoOAuthCallbackView,
    KommoStatusView,
    KommoSyncDetailView,
    KommoSyncView,
    KommoWebhookView,
)

router = SimpleRouter()
router.register("accounts", KommoAccountViewSet, basename="kommo-account")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sync", KommoSyncView.as_view(), name="kommo-sync"),
    path("sync/<int:execution_id>", KommoSyncDetailView.as_view(), name="kommo-sync-detail"),
    path("status", KommoStatusView.as_view(), name="kommo-status"),
    path("webhook", KommoWebhookView.as_view(), name="kommo-webhook"),
    path("oauth/authorize", KommoAuthorizeView.as_view(), name="kommo-oauth-authorize"),
    path("oauth/callback", KommoOAuthCallbackView.as_view(), name="kommo-oauth-callback"),
    *router.urls,
]
