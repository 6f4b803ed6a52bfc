"""/metrics for Prometheus: django-prometheus's request metrics and OrquestraCollector's ledger numbers,
for a bearer token or an allowed network only (orchestration.monitoring.access)."""

import os

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from orchestration.monitoring.access import Access, metrics_access
from orchestration.monitoring.collector import register_collector


def _registry() -> CollectorRegistry:
    # Several web processes with PROMETHEUS_MULTIPROC_DIR set: the request metrics of all of them, summed.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(register_collector())
        return registry
    register_collector()
    return REGISTRY


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    access = metrics_access(request)
    if access is Access.BAD_TOKEN:
        response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if access is Access.FORBIDDEN:
        return HttpResponse("403 Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
