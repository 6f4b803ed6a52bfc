"""The OpenAPI schema says every error an operation can answer, in the one error shape.

drf-spectacular documents only the responses a view declares; the error answers that come from the
framework (401/403 from the permission table, 404 on a detail route or a page past the end, 400 on a bad
body or filter, 429 from a throttle) were missing on many operations. This schema class adds each one
that the operation can produce and the view did not declare itself.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

from orchestration.api.serializers import ErrorSerializer

BODY_METHODS = {"POST", "PUT", "PATCH"}
DESCRIPTIONS = {
    "400": _("Dados, filtros ou parâmetros inválidos."),
    "401": _("Sem autenticação."),
    "403": _("Perfil sem permissão."),
    "404": _("Não encontrado."),
    "415": _("Tipo de conteúdo não suportado."),
    "429": _("Requisições demais; tente mais tarde."),
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> set[str]:
        view = self.view
        codes = set()
        public = any(permission is AllowAny for permission in getattr(view, "permission_classes", []))
        if not public:
            codes |= {"401", "403"}
        if "{" in self.path or (self._is_list_view() and getattr(view, "pagination_class", None)):
            codes.add("404")  # unknown object, or a page past the end of a list
        has_filters = bool(getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None))
        if self.method in BODY_METHODS or (self._is_list_view() and has_filters):
            codes.add("400")
        if self.method in BODY_METHODS:
            codes.add("415")
        if getattr(view, "throttle_classes", None):
            codes.add("429")
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes() - set(responses)):
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = str(DESCRIPTIONS[code])
            responses[code] = response
        return responses
