"""Users on the API (ADMINISTRATOR only, except `me`) and the token login."""

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from orchestration.api.serializers import ErrorSerializer, TokenLoginSerializer, TokenSerializer, UserSerializer
from orchestration.auth_backend import login_is_blocked
from orchestration.models import User
from orchestration.services.users import user_delete


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_credentials"
    default_detail = _("E-mail ou senha incorretos.")


class LoginBlocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "login_blocked"
    default_detail = _("Muitas tentativas de login sem sucesso. Tente novamente mais tarde.")


_ADMIN_ONLY = {
    401: OpenApiResponse(ErrorSerializer, description=_("Sem autenticação.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Só ADMINISTRATOR gerencia usuários.")),
}


@extend_schema_view(
    list=extend_schema(summary=_("Lista usuários"), responses={200: UserSerializer(many=True), **_ADMIN_ONLY}),
    retrieve=extend_schema(summary=_("Detalhe de um usuário"), responses={200: UserSerializer, **_ADMIN_ONLY}),
    create=extend_schema(
        summary=_("Cria um usuário"), responses={201: UserSerializer, 400: ErrorSerializer, **_ADMIN_ONLY}
    ),
    update=extend_schema(summary=_("Altera um usuário"), responses={200: UserSerializer, 400: ErrorSerializer}),
    partial_update=extend_schema(
        summary=_("Altera campos de um usuário"), responses={200: UserSerializer, 400: ErrorSerializer}
    ),
    destroy=extend_schema(summary=_("Exclui um usuário"), responses={204: None, 409: ErrorSerializer, **_ADMIN_ONLY}),
)
class UserViewSet(viewsets.ModelViewSet):
    """People who sign in. Managing them is for ADMINISTRATOR; the role decides the permissions."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["role", "is_active"]
    search_fields = ["email", "name"]
    ordering_fields = ["name", "email", "date_joined", "last_login"]
    # Without a declaration for them, the standard actions need the model's own view/add/change/delete_user.
    required_perms = {"me": []}

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.order_by("name", "email")

    def perform_destroy(self, instance: User) -> None:
        user_delete(users=[instance], actor=self.request.user)

    @extend_schema(summary=_("O usuário autenticado"), responses={200: UserSerializer})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def me(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class ObtainTokenView(APIView):
    """POST e-mail and password, get the API token (`Authorization: Token <key>`).

    Throttled per client (scope "login"); repeated failures also block the e-mail and the IP.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        summary=_("Obtém o token de API"),
        request=TokenLoginSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Dados inválidos ou credenciais incorretas.")),
            429: OpenApiResponse(ErrorSerializer, description=_("Tentativas demais.")),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        django_request = request._request
        if login_is_blocked(email, django_request):
            raise LoginBlocked()
        user = authenticate(django_request, username=email, password=serializer.validated_data["password"])
        if user is None:
            raise InvalidCredentials()
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key, "user": user}).data)
