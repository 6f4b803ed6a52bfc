"""Query filters of the execution ledger; a malformed value is a 400 with the field named, never a 500."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from orchestration.api.datetime_filters import BoundedIsoDateTimeFilter
from orchestration.models import Execution, ExecutionLogLine, ExecutionStatus, LogLevel, Trigger

MAX_ID = 2**63 - 1


class ExecutionFilter(filters.FilterSet):
    kind = filters.CharFilter(field_name="kind", help_text=_("Tipo exato, por exemplo MOVIDESK_SYNC."))
    status = filters.MultipleChoiceFilter(
        choices=ExecutionStatus.choices, help_text=_("Uma ou mais situações (repita o parâmetro).")
    )
    trigger = filters.MultipleChoiceFilter(choices=Trigger.choices, help_text=_("Uma ou mais origens."))
    # Bounded like the id column: a larger number is a 400, not an overflow (a 500) in the database driver.
    started_by = filters.NumberFilter(
        field_name="started_by_id", min_value=1, max_value=MAX_ID, help_text=_("Id do usuário que iniciou.")
    )
    parent = filters.NumberFilter(
        field_name="parent_id",
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Id da execução principal (itens de uma execução distribuída)."),
    )
    subject_type = filters.CharFilter(
        method="filter_subject_type", help_text=_("Tipo do objeto, como app.modelo (orchestration.invoiceprocess).")
    )
    subject_id = filters.CharFilter(field_name="subject_id", max_length=64, help_text=_("Id do objeto."))
    created_after = BoundedIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Criadas a partir deste instante (ISO 8601).")
    )
    created_before = BoundedIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", help_text=_("Criadas até este instante (ISO 8601).")
    )
    created_on = filters.DateFilter(
        field_name="created_at", lookup_expr="date", help_text=_("Criadas neste dia (AAAA-MM-DD, horário local).")
    )
    ordering = filters.OrderingFilter(fields=("created_at", "id", "kind", "status", "finished_at"))

    class Meta:
        model = Execution
        fields = ["kind", "status", "trigger", "started_by"]

    def filter_subject_type(self, queryset: QuerySet[Execution], name: str, value: str) -> QuerySet[Execution]:
        app_label, _dot, model = value.lower().partition(".")
        return queryset.filter(subject_type__app_label=app_label, subject_type__model=model)


class LogLineFilter(filters.FilterSet):
    after = filters.NumberFilter(
        field_name="id", lookup_expr="gt", help_text=_("Só linhas com id maior que este (retomar a leitura).")
    )
    level = filters.MultipleChoiceFilter(choices=LogLevel.choices)

    class Meta:
        model = ExecutionLogLine
        fields = ["level"]
