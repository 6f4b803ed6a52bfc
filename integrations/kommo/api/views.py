"""Kommo on the API: accounts (CRUD, tokens write-only), start a sync or retry its failed replicas, the
status of every account, the OAuth connect flow and the Salesbot / webhook trigger."""

import hmac
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.kommo.api.serializers import (
    KommoAccountSerializer,
    KommoAuthorizeSerializer,
    KommoStatusSerializer,
    KommoSyncAcceptedSerializer,
    KommoSyncDetailSerializer,
    KommoSyncRequestSerializer,
    KommoWebhookAnswerSerializer,
)
from integrations.kommo.enqueue import kommo_sync_enqueue, kommo_sync_enqueue_once, salesbot_continue_enqueue
from integrations.kommo.models import KommoAccount, SyncType
from integrations.kommo.oauth import authorization_url, oauth_callback
from integrations.kommo.salesbot import account_for_return_url, client_secrets, jwt_verify
from integrations.kommo.selectors import kommo_status, kommo_sync_detail
from integrations.kommo.sync import SYNC_KIND, kommo_sync_retry_failed, last_real_sync
from integrations.kommo.tokens import account_credentials_changed
from orchestration.api.errors import Conflict
from orchestration.api.parsers import SafeJSONParser
from orchestration.api.serializers import ErrorSerializer
from orchestration.models import Execution, Trigger
from orchestration.services.fanout import NothingToRetry

SYNC_PERMISSION = "integrations.sync_kommoaccount"
TOKEN_FIELDS = {"access_token", "refresh_token", "long_lived_token"}


def _accepted(execution: Execution, **extra: Any) -> Response:
    body = {
        "execution_id": execution.pk,
        "status": execution.status,
        "execution_url": reverse("execution-detail", args=[execution.pk]),
        "stream_url": reverse("execution-stream", args=[execution.pk]),
        **extra,
    }
    return Response(KommoSyncAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class KommoAccountViewSet(viewsets.ModelViewSet):
    """Kommo accounts. Tokens and the client secret are accepted on write and never returned; a blank or
    absent one keeps what is stored. Exactly one active master."""

    queryset = KommoAccount.objects.all()
    serializer_class = KommoAccountSerializer
    filterset_fields = ["role", "active", "auth_state"]
    search_fields = ["subdomain", "name"]

    def _credentials_saved(self, serializer: Any) -> None:
        given = TOKEN_FIELDS & set(serializer.validated_data)
        account = serializer.save()
        if given:
            account_credentials_changed(account)

    def perform_create(self, serializer: Any) -> None:
        self._credentials_saved(serializer)

    def perform_update(self, serializer: Any) -> None:
        self._credentials_saved(serializer)


class KommoSyncView(APIView):
    required_perms = [SYNC_PERMISSION]

    @extend_schema(
        summary=_("Sincroniza a mestre com as réplicas (ou repete as réplicas com falha)"),
        request=KommoSyncRequestSerializer,
        responses={
            202: KommoSyncAcceptedSerializer,
            409: OpenApiResponse(ErrorSerializer, description=_("Nada a repetir.")),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = KommoSyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["failed_only"]:
            parent = last_real_sync()
            if parent is None:
                raise Conflict(_("Nenhuma sincronização anterior para repetir."))
            try:
                retried = kommo_sync_retry_failed(parent=parent, user=request.user)
            except NothingToRetry as error:
                raise Conflict(str(error)) from None
            parent.refresh_from_db()
            return _accepted(parent, retried=len(retried))
        execution = kommo_sync_enqueue(
            sync_type=data["sync_type"],
            dry_run=data["dry_run"],
            accounts=data.get("accounts") or None,
            prune=data["prune"],
            trigger=Trigger.API,
            user=request.user,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return _accepted(execution)


class KommoSyncDetailView(APIView):
    required_perms = ["integrations.view_kommoaccount"]

    @extend_schema(
        summary=_("Uma sincronização Kommo: o plano e o resultado de cada réplica"), responses=KommoSyncDetailSerializer
    )
    def get(self, request: Request, execution_id: int) -> Response:
        parent = get_object_or_404(Execution, pk=execution_id, kind=SYNC_KIND)
        return Response(KommoSyncDetailSerializer(kommo_sync_detail(parent)).data)


class KommoStatusView(APIView):
    required_perms = ["integrations.view_kommoaccount"]

    @extend_schema(
        summary=_("Contas Kommo, última sincronização e taxa de sucesso em 30 dias"), responses=KommoStatusSerializer
    )
    def get(self, request: Request) -> Response:
        return Response(KommoStatusSerializer(kommo_status()).data)


class KommoAuthorizeView(APIView):
    required_perms = ["integrations.change_kommoaccount"]

    @extend_schema(
        summary=_("URL de consentimento OAuth de uma conta"),
        parameters=[OpenApiParameter("subdomain", str, required=True)],
        responses={200: KommoAuthorizeSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        subdomain = request.query_params.get("subdomain", "").strip()
        if not subdomain:
            raise serializers.ValidationError({"subdomain": [_("Informe o subdomínio da conta.")]})
        account = get_object_or_404(KommoAccount, subdomain=subdomain)
        return Response({"authorization_url": authorization_url(account)})


class KommoOAuthCallbackView(APIView):
    """Kommo redirects the browser here with `code`, `state` and `referer` (the account's host)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("Retorno do OAuth do Kommo: guarda os tokens da conta do referer"),
        parameters=[OpenApiParameter(name, str, required=True) for name in ("code", "state", "referer")],
        responses={200: KommoAccountSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        account = oauth_callback(
            code=request.query_params.get("code", ""),
            state=request.query_params.get("state", ""),
            referer=request.query_params.get("referer", ""),
        )
        return Response(KommoAccountSerializer(account).data)


class KommoWebhookView(APIView):
    """Salesbot `widget_request` (JWT signed with the client secret) or any caller holding
    KOMMO_WEBHOOK_SECRET. Answers at once; a delivery while a sync is queued or running starts nothing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [SafeJSONParser, FormParser]

    def _authorized(self, request: Request) -> tuple[bool, dict[str, Any] | None]:
        secret = settings.KOMMO_WEBHOOK_SECRET
        given = request.headers.get("X-Orquestra-Secret") or request.query_params.get("secret") or ""
        if secret and given and hmac.compare_digest(str(given).encode(), str(secret).encode()):
            return True, None
        token = request.data.get("token") if hasattr(request.data, "get") else None
        claims = jwt_verify(str(token), client_secrets()) if token else None
        return claims is not None, claims

    @extend_schema(
        summary=_("Webhook / Salesbot: inicia uma sincronização"),
        request=None,
        responses={200: KommoWebhookAnswerSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        authorized, claims = self._authorized(request)
        if not authorized:
            return Response(
                {
                    "error": {
                        "code": "forbidden",
                        "message": str(_("Segredo ou token do Salesbot inválido.")),
                        "details": None,
                    }
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        data = request.data.get("data") if hasattr(request.data, "get") else None
        sync_type = (data or {}).get("sync_type") if isinstance(data, dict) else None
        sync_type = sync_type or request.query_params.get("sync_type") or SyncType.FULL
        execution, started = kommo_sync_enqueue_once(
            sync_type=str(sync_type),
            trigger=Trigger.WEBHOOK,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return_url = request.data.get("return_url") if claims is not None else None
        account = account_for_return_url(str(return_url)) if return_url else None
        if account is not None:
            salesbot_continue_enqueue(account_id=account.pk, return_url=str(return_url), execution_id=execution.pk)
        return Response(KommoWebhookAnswerSerializer({"execution_id": execution.pk, "started": started}).data)
