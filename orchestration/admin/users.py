"""Users in the admin. Every write goes through orchestration.services.users, like the API's, so the
e-mail and last-administrator rules cannot differ between the two."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orchestration.admin.alerts import NotificationPreferenceInline
from orchestration.models import User
from orchestration.services.users import (
    EDITABLE_FIELDS,
    UserDeleteRefused,
    user_change_check,
    user_create,
    user_delete,
    user_delete_check,
    user_email_check,
    user_update,
)


def _field_errors(form: ModelForm, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class UserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "phone", "role", "company")

    def clean_email(self) -> str:
        try:
            return user_email_check(self.cleaned_data["email"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["email"]) from None


class UserChangeForm(auth_forms.UserChangeForm):
    actor: User | None = None  # set by UserAdmin.get_form: who is editing

    class Meta:
        model = User
        fields = ("email", "name", "phone", "role", "company", "is_active", "is_staff")

    def clean_email(self) -> str:
        try:
            return user_email_check(self.cleaned_data["email"], instance=self.instance)
        except ValidationError as error:
            raise ValidationError(error.message_dict["email"]) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        current = User.objects.filter(pk=self.instance.pk).first()
        if current is not None:
            try:
                user_change_check(
                    instance=current, role=cleaned.get("role"), is_active=cleaned.get("is_active"), actor=self.actor
                )
            except ValidationError as error:
                raise ValidationError(error.message_dict["role"]) from None
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """The role decides the group (and so the permissions): no per-user groups or permissions here."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Dados pessoais"), {"fields": ("name", "phone")}),
        (_("Perfil e acesso"), {"fields": ("role", "company", "is_active", "is_staff")}),
        (_("Datas"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "phone", "role", "company", "password1", "password2")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "name", "role", "company", "is_active", "last_login")
    list_filter = ("role", "company", "is_active")
    search_fields = ("email", "name")
    ordering = ("name", "email")
    filter_horizontal = ()
    inlines = [NotificationPreferenceInline]

    def get_inlines(self, request: HttpRequest, obj: User | None = None) -> list[type[admin.options.InlineModelAdmin]]:
        return [NotificationPreferenceInline] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form = type(form.__name__, (form,), {"actor": request.user})
        return form

    # Writes ------------------------------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            # The form already applied the values to `obj`; the service applies them again to a fresh row,
            # under its own checks, so a concurrent change cannot slip past the last-administrator rule.
            saved = user_update(user=User.objects.get(pk=obj.pk), actor=request.user, **fields)
        else:
            saved = user_create(password=form.cleaned_data["password1"], **fields)
        obj.__dict__.update(saved.__dict__)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user = self.get_object(request, unquote(object_id))
        if user is not None:
            try:
                user_delete_check(users=[user], actor=request.user)
            except UserDeleteRefused as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:orchestration_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_delete(users=[obj], actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        user_delete(users=list(queryset), actor=request.user)

    def response_action(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        # The bulk "delete selected" asks for confirmation first: refuse before that page, not after it.
        if request.POST.get("action") == "delete_selected":
            selected = queryset.filter(pk__in=request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
            try:
                user_delete_check(users=list(selected), actor=request.user)
            except UserDeleteRefused as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)
