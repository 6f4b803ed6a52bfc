"""Provider webhooks: no login, each authenticated by its provider's mechanism (see whatsapp_health.webhooks).
A wrong key or signature answers 403, a body we cannot read 400."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orchestration.api.serializers import ErrorSerializer
from whatsapp_health.api.serializers import WebhookResultSerializer
from whatsapp_health.exceptions import WebhookForbidden
from whatsapp_health.webhooks import WebhookOutcome, evolution_webhook_receive, waha_webhook_receive

_RESPONSES = {
    200: WebhookResultSerializer,
    400: OpenApiResponse(ErrorSerializer, description=_("Corpo ilegível ou evento sem estado conhecido.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Chave ou assinatura inválida.")),
}


class _WebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def _answer(self, outcome: WebhookOutcome) -> Response:
        body = {"session": outcome.session_id, "event": outcome.event, "applied": outcome.applied}
        return Response(WebhookResultSerializer(body).data)


def _headers(request: Request) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


class EvolutionWebhookView(_WebhookView):
    """Evolution API events (`connection.update`, `qrcode.updated`, `logout.instance`, `messages.upsert`);
    with `byEvents` the event name may come in the path."""

    @extend_schema(summary=_("Webhook do Evolution API"), auth=[], request=None, responses=_RESPONSES)
    def post(self, request: Request, event: str = "") -> Response:
        try:
            outcome = evolution_webhook_receive(body=request.body, headers=_headers(request), event_path=event)
        except WebhookForbidden as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return self._answer(outcome)


class EvolutionEventWebhookView(EvolutionWebhookView):
    """The same, for Evolution's `byEvents=true` (`…/evolution/connection-update`)."""

    @extend_schema(
        summary=_("Webhook do Evolution API, evento no caminho"),
        operation_id="whatsapp_webhook_evolution_event",
        auth=[],
        request=None,
        responses={**_RESPONSES, 404: OpenApiResponse(ErrorSerializer, description=_("Caminho inexistente."))},
    )
    def post(self, request: Request, event: str = "") -> Response:
        return super().post(request, event)


class WahaWebhookView(_WebhookView):
    """WAHA events (`session.status`, `message`), signed with HMAC-SHA512 in `X-Webhook-Hmac`."""

    @extend_schema(summary=_("Webhook do WAHA"), auth=[], request=None, responses=_RESPONSES)
    def post(self, request: Request) -> Response:
        try:
            outcome = waha_webhook_receive(body=request.body, headers=_headers(request))
        except WebhookForbidden as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return self._answer(outcome)
