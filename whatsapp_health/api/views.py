"""WhatsApp sessions on the API: CRUD with filters, the source's maintenance endpoints, provider webhooks.

Every endpoint but the webhooks takes the API token as `Authorization: Token <key>` or `Bearer <key>`."""

from django.db import IntegrityError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orchestration.api.errors import Conflict
from orchestration.api.serializers import ErrorSerializer
from orchestration.models import Execution, Trigger
from orchestration.services.transitions import IllegalTransition
from whatsapp_health.api.authentication import AUTHENTICATION_CLASSES
from whatsapp_health.api.serializers import (
    AcceptedSerializer,
    ConversationSerializer,
    SessionCheckResultSerializer,
    SessionTransitionSerializer,
    WhatsAppSessionSerializer,
    WhatsAppStatusSerializer,
)
from whatsapp_health.checks import provider_state_fetch, session_endpoint
from whatsapp_health.enqueue import CHECK, CLEANUP, CONVERSATIONS, whatsapp_job_enqueue
from whatsapp_health.exceptions import SessionNotFound
from whatsapp_health.models import Provider, SessionStatus, WhatsAppSession
from whatsapp_health.runs import session_check_run
from whatsapp_health.selectors import session_for, sessions_visible_to
from whatsapp_health.services import session_archive, session_restore, session_save

VIEW = "whatsapp_health.view_whatsappsession"
SYNC = "whatsapp_health.sync_whatsappsession"
_AUTH_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description=_("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Perfil sem permissão.")),
}
_NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description=_("Sessão não encontrada (ou nenhuma padrão)."))}
_SESSION_PARAMETER = OpenApiParameter(
    "session", int, description=_("Id da sessão; sem ele, a sessão padrão da empresa do usuário.")
)


class SessionFilter(filters.FilterSet):
    provider = filters.ChoiceFilter(choices=Provider.choices)
    status = filters.MultipleChoiceFilter(choices=SessionStatus.choices)
    company = filters.NumberFilter(field_name="company_id")
    is_default = filters.BooleanFilter()

    class Meta:
        model = WhatsAppSession
        fields = ["provider", "status", "company", "is_default"]


def _client_info(request: Request) -> dict[str, object]:
    return {
        "user": request.user,
        "ip": request.META.get("REMOTE_ADDR"),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


def _session(request: Request) -> WhatsAppSession:
    wanted = request.query_params.get("session")
    if wanted in (None, "") and isinstance(request.data, dict):
        wanted = request.data.get("session")
    try:
        return session_for(request.user, wanted)  # type: ignore[arg-type]
    except SessionNotFound as error:
        raise exceptions.NotFound(str(error)) from error


def _accepted(execution: Execution) -> Response:
    body = {
        "execution_id": execution.pk,
        "status": execution.status,
        "execution_url": reverse("execution-detail", args=[execution.pk]),
        "stream_url": reverse("execution-stream", args=[execution.pk]),
    }
    return Response(AcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


_WRITE_ERRORS = {400: ErrorSerializer, **_AUTH_ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary=_("Lista sessões do WhatsApp"),
        responses={200: WhatsAppSessionSerializer(many=True), **_AUTH_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("Detalhe de uma sessão"), responses={200: WhatsAppSessionSerializer, **_AUTH_ERRORS, **_NOT_FOUND}
    ),
    create=extend_schema(summary=_("Cadastra uma sessão"), responses={201: WhatsAppSessionSerializer, **_WRITE_ERRORS}),
    update=extend_schema(
        summary=_("Altera uma sessão"), responses={200: WhatsAppSessionSerializer, **_WRITE_ERRORS, **_NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary=_("Altera campos de uma sessão"),
        responses={200: WhatsAppSessionSerializer, **_WRITE_ERRORS, **_NOT_FOUND},
    ),
    destroy=extend_schema(
        summary=_("Exclui uma sessão e seu histórico"), responses={204: None, **_AUTH_ERRORS, **_NOT_FOUND}
    ),
)
class WhatsAppSessionViewSet(viewsets.ModelViewSet):
    """Sessions the user may see (their company's; every one for administrators and people of no company).
    The API key and the webhook secret are write-only; a blank one on an update keeps the stored value."""

    authentication_classes = AUTHENTICATION_CLASSES
    serializer_class = WhatsAppSessionSerializer
    queryset = WhatsAppSession.objects.all()
    filterset_class = SessionFilter
    required_perms = {
        "transitions": [VIEW],
        "conversations": [VIEW],
        "archive": [SYNC],
        "restore": [SYNC],
    }

    def get_queryset(self) -> QuerySet[WhatsAppSession]:
        return sessions_visible_to(self.request.user).order_by("name", "pk")  # type: ignore[arg-type]

    def _save(self, serializer: WhatsAppSessionSerializer) -> None:
        try:
            serializer.instance = session_save(serializer.instance or WhatsAppSession(), **serializer.validated_data)
        except IntegrityError as error:
            raise exceptions.ValidationError(
                {"instance": [gettext("Já existe uma sessão com este provedor, URL e instância.")]}
            ) from error

    def perform_create(self, serializer: WhatsAppSessionSerializer) -> None:  # type: ignore[override]
        self._save(serializer)

    def perform_update(self, serializer: WhatsAppSessionSerializer) -> None:  # type: ignore[override]
        self._save(serializer)

    @extend_schema(
        summary=_("Histórico de mudanças de situação"),
        responses={200: SessionTransitionSerializer(many=True), **_AUTH_ERRORS, **_NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        rows = self.get_object().transitions.order_by("-at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(SessionTransitionSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Conversas da sessão (sem conteúdo)"),
        responses={200: ConversationSerializer(many=True), **_AUTH_ERRORS, **_NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def conversations(self, request: Request, pk: str | None = None) -> Response:
        rows = self.get_object().conversations.order_by("-last_message_at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)

    def _manual(self, change: object, request: Request) -> Response:
        session = self.get_object()
        try:
            change(session, user=request.user)  # type: ignore[operator]
        except IllegalTransition as error:
            raise Conflict(str(error)) from error
        return Response(WhatsAppSessionSerializer(session).data)

    @extend_schema(
        summary=_("Arquiva a sessão (sai das verificações, histórico mantido)"),
        request=None,
        responses={200: WhatsAppSessionSerializer, 409: ErrorSerializer, **_AUTH_ERRORS, **_NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._manual(session_archive, request)

    @extend_schema(
        summary=_("Restaura uma sessão arquivada"),
        request=None,
        responses={200: WhatsAppSessionSerializer, 409: ErrorSerializer, **_AUTH_ERRORS, **_NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        return self._manual(session_restore, request)


class WhatsAppStatusView(APIView):
    """The real state of the default session (or `?session=ID`), asked of the provider now. Read-only: the
    stored status is corrected by sync-status or the 5-minute check."""

    authentication_classes = AUTHENTICATION_CLASSES
    required_perms = [VIEW]

    @extend_schema(
        summary=_("Situação real da sessão no provedor"),
        parameters=[_SESSION_PARAMETER],
        responses={200: WhatsAppStatusSerializer, **_AUTH_ERRORS, **_NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        session = _session(request)
        result = provider_state_fetch(session_endpoint(session))
        body = {
            "connected": result.state is not None and result.state.status == SessionStatus.CONNECTED,
            "timestamp": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "session": session.pk,
            "status": result.state.status if result.state is not None else None,
            "stored_status": session.status,
            "error": result.error,
        }
        return Response(WhatsAppStatusSerializer(body).data)


class _SessionCheckView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    required_perms = [SYNC]
    force = False

    def post(self, request: Request) -> Response:
        session = _session(request)
        execution = session_check_run(session, force=self.force, trigger=Trigger.API, **_client_info(request))  # type: ignore[arg-type]
        session.refresh_from_db()
        counters = execution.counters
        outcome = (
            "failed" if counters.get("checks_failed") else "changed" if counters.get("status_changed") else "unchanged"
        )
        body = {
            "execution_id": execution.pk,
            "execution_status": execution.status,
            "outcome": outcome,
            "session": WhatsAppSessionSerializer(session).data,
        }
        return Response(body)


_CHECK_SCHEMA = {
    "parameters": [_SESSION_PARAMETER],
    "request": None,
    "responses": {200: SessionCheckResultSerializer, **_AUTH_ERRORS, **_NOT_FOUND},
}


class SyncStatusView(_SessionCheckView):
    """Checks the default session (or `?session=ID`) now and corrects its stored status."""

    @extend_schema(summary=_("Sincroniza a sessão atual"), **_CHECK_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)


class ForceSyncCurrentView(_SessionCheckView):
    """As sync-status, but applies what the provider says at once (no waiting for a second `connecting`)."""

    force = True

    @extend_schema(summary=_("Força a sincronização da sessão atual"), **_CHECK_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)


class _EnqueueView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    required_perms = [SYNC]
    job = CHECK
    job_options: dict[str, bool] = {}

    def post(self, request: Request) -> Response:
        execution = whatsapp_job_enqueue(
            self.job,
            trigger=Trigger.API,
            **_client_info(request),  # type: ignore[arg-type]
            **self.job_options,
        )
        return _accepted(execution)


_ACCEPTED_SCHEMA = {"request": None, "responses": {202: AcceptedSerializer, **_AUTH_ERRORS}}


class SyncAllSessionsView(_EnqueueView):
    """Checks every active session (the 5-minute job, now); a worker runs it."""

    @extend_schema(summary=_("Sincroniza todas as sessões"), **_ACCEPTED_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)


class ForceSyncView(_EnqueueView):
    """Forced check of every session, then the cleanup of old sessions and of inactive conversations."""

    job_options = {"force": True, "cleanup": True}

    @extend_schema(summary=_("Força a sincronização completa"), **_ACCEPTED_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)


class CleanupSessionsView(_EnqueueView):
    """Archives the sessions without activity for more than WHATSAPP_SESSION_RETENTION_DAYS days."""

    job = CLEANUP

    @extend_schema(summary=_("Limpa sessões antigas"), **_ACCEPTED_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)


class CheckInactiveConversationsView(_EnqueueView):
    """Closes the conversations without messages for more than WHATSAPP_CONVERSATION_INACTIVE_MINUTES."""

    job = CONVERSATIONS

    @extend_schema(summary=_("Encerra conversas inativas"), **_ACCEPTED_SCHEMA)  # type: ignore[arg-type]
    def post(self, request: Request) -> Response:
        return super().post(request)
