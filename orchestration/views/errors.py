"""Errors Django itself raises (before or outside DRF): JSON in the API's shape under /api/, the usual
HTML pages elsewhere. Wired as handler400/403/404/500 and CSRF_FAILURE_VIEW."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from orchestration.api.errors import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            error_body("request_too_large", _("O corpo da requisição passa do tamanho máximo aceito.")), status=413
        )
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return JsonResponse(error_body("too_many_fields", _("A requisição tem campos demais.")), status=400)
    return JsonResponse(error_body("bad_request", _("Requisição inválida.")), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        message = _("Você não tem permissão para executar essa ação.")
        return JsonResponse(error_body("permission_denied", message), status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        message = _("Verificação CSRF falhou: com sessão, envie o cabeçalho X-CSRFToken; ou use um token de API.")
        return JsonResponse(error_body("csrf_failed", message, {"reason": reason}), status=403)
    return csrf.csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Não encontrado.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Erro interno do servidor.")), status=500)
    return defaults.server_error(request)
