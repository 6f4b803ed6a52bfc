"""GET /api/v1/executions/{id}/stream — an execution's log lines as Server-Sent Events."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from orchestration.api.errors import error_body
from orchestration.live.asgi import long_lived_stream
from orchestration.live.events import execution_events
from orchestration.models import Execution, User

# The same permissions as the lines of an execution on the API (ExecutionViewSet.lines).
STREAM_PERMISSIONS = ["orchestration.view_execution", "orchestration.view_executionlogline"]


class _AuthFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response


async def _token_user(header: str) -> User | None:
    """The user of an `Authorization: Token <key>` header; None when the header is another scheme."""
    parts = header.split()
    if not parts or parts[0].lower() != "token":
        return None
    if len(parts) != 2:
        raise _AuthFailed(_("Cabeçalho de token inválido."))
    token = await Token.objects.select_related("user").filter(key=parts[1]).afirst()
    if token is None:
        raise _AuthFailed(_("Token inválido."))
    if not token.user.is_active:
        raise _AuthFailed(_("Usuário inativo ou excluído."))
    return token.user


async def _viewer(request: HttpRequest) -> User | AnonymousUser:
    user = await _token_user(request.headers.get("Authorization", ""))
    if user is not None:
        return user
    return await request.auser()


def _last_event_id(request: HttpRequest) -> int:
    """Resume point: the `Last-Event-ID` header (EventSource sends it) or `?last_event_id=`."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or "0"
    value = int(raw.strip())
    if value < 0:
        raise ValueError(raw)
    return value


@long_lived_stream
async def execution_stream(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "GET":
        response = _error(405, "method_not_allowed", _("Método não permitido."))
        response["Allow"] = "GET"
        return response
    try:
        user = await _viewer(request)
    except _AuthFailed as failure:
        return _error(401, "authentication_failed", failure.message)
    if not user.is_authenticated:
        return _error(401, "not_authenticated", _("As credenciais de autenticação não foram fornecidas."))
    if not await user.ahas_perms(STREAM_PERMISSIONS):
        return _error(403, "permission_denied", _("Você não tem permissão para executar essa ação."))
    try:
        after_id = _last_event_id(request)
    except ValueError:
        return _error(400, "invalid", _("Last-Event-ID deve ser um número inteiro não negativo."))
    if not await Execution.objects.filter(pk=pk).aexists():
        return _error(404, "not_found", _("Não encontrado."))

    response = StreamingHttpResponse(execution_events(pk, after_id), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies would otherwise hold the events back in their buffers.
    response["X-Accel-Buffering"] = "no"
    return response
