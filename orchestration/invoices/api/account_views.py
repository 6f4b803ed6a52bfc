"""Carriers and carrier accounts on the API, and the CSV import of accounts.

Permissions are the models' own (view/add/change/delete, see invoices/roles.py); the import needs add and
change of carrier accounts."""

import re
from typing import Any

from django.db.models import ProtectedError, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orchestration.api.errors import Conflict, error_body
from orchestration.api.serializers import ErrorSerializer
from orchestration.client_ip import client_ip
from orchestration.invoices.api.account_serializers import (
    AccountsImportRequestSerializer,
    AccountsImportResultSerializer,
    CarrierAccountSerializer,
    CarrierSerializer,
)
from orchestration.invoices.imports.accounts import report_as_dict
from orchestration.invoices.imports.run import carrier_accounts_import_run
from orchestration.invoices.models import Carrier, CarrierAccount
from orchestration.models import ExecutionStatus, Trigger

IMPORT_PERMISSIONS = ["orchestration.add_carrieraccount", "orchestration.change_carrieraccount"]
_PUNCTUATION = re.compile(r"[.\-/\s]")


class _ProtectedDelete:
    def perform_destroy(self, instance: Any) -> None:
        try:
            instance.delete()
        except ProtectedError:
            raise Conflict(gettext("Não é possível excluir: há registros que dependem dele (desative-o).")) from None


class CarrierFilter(filters.FilterSet):
    active = filters.BooleanFilter(field_name="is_active")
    has_rpa = filters.BooleanFilter()

    class Meta:
        model = Carrier
        fields = ["active", "has_rpa"]


@extend_schema_view(
    list=extend_schema(summary=_("Lista as operadoras")),
    retrieve=extend_schema(summary=_("Detalhe de uma operadora")),
    create=extend_schema(summary=_("Cadastra uma operadora")),
    update=extend_schema(summary=_("Altera uma operadora")),
    partial_update=extend_schema(summary=_("Altera parte de uma operadora")),
    destroy=extend_schema(
        summary=_("Exclui uma operadora sem contas"),
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description=_("Tem contas; desative-a."))},
    ),
)
class CarrierViewSet(_ProtectedDelete, viewsets.ModelViewSet):
    """The carriers whose portals the RPA server's robots know. `search` looks in name and code."""

    queryset = Carrier.objects.all()
    serializer_class = CarrierSerializer
    filter_backends = [filters.DjangoFilterBackend, SearchFilter]
    filterset_class = CarrierFilter
    search_fields = ["name", "code"]


class CarrierAccountFilter(filters.FilterSet):
    carrier = filters.CharFilter(method="filter_carrier", help_text=_("Código (VIVO) ou id da operadora."))
    active = filters.BooleanFilter(field_name="is_active")
    cnpj = filters.CharFilter(method="filter_cnpj", max_length=18, help_text=_("CNPJ, com ou sem pontuação."))

    class Meta:
        model = CarrierAccount
        fields = ["carrier", "active", "cnpj"]

    def filter_carrier(self, queryset: QuerySet[CarrierAccount], name: str, value: str) -> QuerySet[CarrierAccount]:
        value = value.strip()
        if value.isdigit() and len(value) < 19:
            return queryset.filter(carrier_id=int(value))
        return queryset.filter(carrier__code=value.upper())

    def filter_cnpj(self, queryset: QuerySet[CarrierAccount], name: str, value: str) -> QuerySet[CarrierAccount]:
        return queryset.filter(cnpj=_PUNCTUATION.sub("", value).upper())


@extend_schema_view(
    list=extend_schema(summary=_("Lista as contas nas operadoras")),
    retrieve=extend_schema(summary=_("Detalhe de uma conta (sem a senha do portal)")),
    create=extend_schema(summary=_("Cadastra uma conta")),
    update=extend_schema(summary=_("Altera uma conta")),
    partial_update=extend_schema(summary=_("Altera parte de uma conta")),
    destroy=extend_schema(
        summary=_("Exclui uma conta sem processos"),
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description=_("Tem processos; desative-a."))},
    ),
)
class CarrierAccountViewSet(_ProtectedDelete, viewsets.ModelViewSet):
    """Customers' accounts at the carriers. `search` looks in legal name, SAT name, CNPJ, unit, service and
    portal login."""

    queryset = CarrierAccount.objects.select_related("carrier")
    serializer_class = CarrierAccountSerializer
    filter_backends = [filters.DjangoFilterBackend, SearchFilter]
    filterset_class = CarrierAccountFilter
    search_fields = ["legal_name", "sat_name", "cnpj", "unit", "service", "portal_login"]
    required_perms = {"import_csv": IMPORT_PERMISSIONS}

    @extend_schema(
        summary=_("Importa contas de um CSV"),
        description=_(
            "Multipart com `file`, `dry_run` e `skip_invalid`, como `manage.py import_accounts`. Com linhas "
            "ruins e sem `skip_invalid`, nada é gravado e a resposta é 400 com o relatório em `error.details`."
        ),
        request={"multipart/form-data": AccountsImportRequestSerializer},
        responses={
            200: AccountsImportResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description=_("Outra importação em andamento.")),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_csv(self, request: Request) -> Response:
        serializer = AccountsImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        run = carrier_accounts_import_run(
            source=upload.read(),
            filename=upload.name,
            dry_run=serializer.validated_data["dry_run"],
            skip_invalid=serializer.validated_data["skip_invalid"],
            trigger=Trigger.API,
            user=request.user,
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        if run.report is None and run.execution.status == ExecutionStatus.SKIPPED:
            raise Conflict(run.problem)
        if run.report is None:
            return Response(error_body("invalid", run.problem), status=status.HTTP_400_BAD_REQUEST)
        body = {"execution_id": run.execution.pk, **report_as_dict(run.report)}
        if run.report.refused:
            return Response(error_body("invalid", run.problem, body), status=status.HTTP_400_BAD_REQUEST)
        return Response(AccountsImportResultSerializer(body).data)
