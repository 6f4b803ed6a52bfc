"""/healthz for load balancers and monitors: no login, no secrets, 200 when everything answers, else 503."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from orchestration.selectors.health import health_report


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report.as_dict(), status=200 if report.ok else 503)
