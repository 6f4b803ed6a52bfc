"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from orchestration.exceptions import OrchestraError, ValidationFailed


class Conflict(exceptions.APIException):
    """A state change the current state does not allow (409), for views that check it themselves."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _lazy("O estado atual não permite esta ação.")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, ValidationFailed):
        return Response(error_body("invalid", str(exc)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OrchestraError):
        return Response(error_body("conflict", str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Não encontrado."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = _("Os dados enviados são inválidos.")
        details = response.data
        code = "invalid"
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        message = str(detail)
        details = None
        default_code = exc.default_code if isinstance(exc, exceptions.APIException) else "error"
        code = getattr(detail, "code", None) or default_code
    response.data = error_body(str(code), message, details)
    return response
