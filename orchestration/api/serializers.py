"""Shapes of the execution ledger and the users on the API."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orchestration.models import Execution, ExecutionLogLine, User
from orchestration.registries.kinds import kind_label
from orchestration.services.users import (
    user_change_check,
    user_create,
    user_email_check,
    user_password_check,
    user_update,
)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (see orchestration/api/errors.py)."""

    error = ErrorDetailSerializer()


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]
        read_only_fields = fields


class ExecutionSerializer(serializers.ModelSerializer):
    kind_display = serializers.SerializerMethodField(help_text=_("O tipo em português (o registro de tipos)."))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    started_by = UserSummarySerializer(read_only=True, allow_null=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Execução principal, quando esta é um item de uma distribuída.")
    )
    subject_type = serializers.SerializerMethodField(
        help_text=_("Tipo do objeto de que a execução trata, como app.modelo (vazio quando não há um).")
    )

    class Meta:
        model = Execution
        fields = [
            "id",
            "kind",
            "kind_display",
            "parent",
            "subject_type",
            "subject_id",
            "status",
            "status_display",
            "trigger",
            "trigger_display",
            "started_by",
            "attempt",
            "counters",
            "error_type",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
        ]
        read_only_fields = fields

    def get_kind_display(self, execution: Execution) -> str:
        return kind_label(execution.kind)

    def get_subject_type(self, execution: Execution) -> str:
        if execution.subject_type_id is None:
            return ""
        subject_type = ContentType.objects.get_for_id(execution.subject_type_id)
        return f"{subject_type.app_label}.{subject_type.model}"


class ExecutionDetailSerializer(ExecutionSerializer):
    stream_url = serializers.SerializerMethodField(help_text=_("Linhas ao vivo (Server-Sent Events)."))
    lines_url = serializers.SerializerMethodField()
    live_page_url = serializers.SerializerMethodField()
    children_count = serializers.SerializerMethodField(help_text=_("Quantos itens (execuções filhas) ela tem."))
    children_url = serializers.SerializerMethodField(
        help_text=_("Lista dos itens: as execuções cuja principal é esta.")
    )

    class Meta(ExecutionSerializer.Meta):
        fields = [
            *ExecutionSerializer.Meta.fields,
            "parameters",
            "requester_ip",
            "user_agent",
            "lock_key",
            "celery_task_id",
            "stream_url",
            "lines_url",
            "live_page_url",
            "children_count",
            "children_url",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_stream_url(self, execution: Execution) -> str:
        return self._absolute(reverse("execution-stream", kwargs={"pk": execution.pk}))

    def get_lines_url(self, execution: Execution) -> str:
        return self._absolute(reverse("execution-lines", kwargs={"pk": execution.pk}))

    def get_live_page_url(self, execution: Execution) -> str:
        return self._absolute(reverse("admin:orchestration_execution_live", args=[execution.pk]))

    def get_children_count(self, execution: Execution) -> int:
        return execution.children.count()

    def get_children_url(self, execution: Execution) -> str:
        return self._absolute(f"{reverse('execution-list')}?parent={execution.pk}")


class ExecutionLogLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExecutionLogLine
        fields = ["id", "level", "message", "created_at"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_("Obrigatória na criação; na alteração, só se for trocá-la."),
    )
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "phone",
            "role",
            "role_display",
            "company",
            "is_active",
            "is_staff",
            "date_joined",
            "last_login",
            "password",
        ]
        read_only_fields = ["id", "date_joined", "last_login"]
        # Uniqueness is checked case-insensitively in validate_email.
        extra_kwargs = {"email": {"validators": []}}

    def validate_email(self, value: str) -> str:
        try:
            return user_email_check(value, instance=self.instance)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["email"]) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            user_change_check(
                instance=self.instance, role=attrs.get("role"), is_active=attrs.get("is_active"), actor=self._actor()
            )
        password = attrs.get("password")
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": [_("Informe uma senha.")]})
        if password:
            user_password_check(
                password,
                email=attrs.get("email", getattr(self.instance, "email", "")),
                name=attrs.get("name", getattr(self.instance, "name", "")),
            )
        return attrs

    def _actor(self) -> User | None:
        request = self.context.get("request")
        return request.user if request is not None and request.user.is_authenticated else None

    def create(self, validated_data: dict[str, Any]) -> User:
        return user_create(**validated_data)

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        return user_update(user=instance, actor=self._actor(), **validated_data)


class TokenLoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = UserSerializer()
