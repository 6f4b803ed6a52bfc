from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from orchestration.api.optional_slash import optional_slash
from orchestration.console.views.dashboard import dashboard
from orchestration.views.health import healthz
from orchestration.views.metrics import metrics

# Every route under /api/ answers with and without its trailing slash, whatever style its app wrote it in.
api_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("auth/", include("rest_framework.urls")),
    path("v1/", include("orchestration.api.urls")),
    path("v1/integrations/", include("integrations.api.urls")),
    path("v1/whatsapp/", include("whatsapp_health.api.urls")),
    path("v1/", include("calendar_sync.api.urls")),
]

urlpatterns = [
    path("", dashboard, name="home"),
    path("console/", include("orchestration.console.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    # Before the admin: the tickets' old admin addresses redirect to MovideskTicket's.
    path("admin/integrations/ticket/", include("integrations.movidesk.admin_redirects")),
    path("admin/", admin.site.urls),
    path("invoices/", include("orchestration.invoices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(optional_slash(api_urlpatterns))),
]

handler400 = "orchestration.views.errors.bad_request"
handler403 = "orchestration.views.errors.permission_denied"
handler404 = "orchestration.views.errors.not_found"
handler500 = "orchestration.views.errors.server_error"
