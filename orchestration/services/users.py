"""Every write to a user, from the admin and the API alike: the e-mail and last-administrator rules live here.

Field problems raise Django's ValidationError keyed by field (the admin shows it on the form, the API
answers 400 with the field named); refusing to delete raises UserDeleteRefused (409 on the API).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from orchestration.email_fold import email_fold
from orchestration.exceptions import OrchestraError
from orchestration.models import Role, User

# What a caller may set; the password goes through set_password, never as a field.
EDITABLE_FIELDS = ("email", "name", "phone", "role", "is_active", "is_staff", "company")


class UserDeleteRefused(OrchestraError):
    """Deleting this user would leave nobody able to administer the product (or it is the caller)."""


def user_email_normalize(email: str) -> str:
    return User.objects.normalize_email(email).strip().lower()


def user_email_check(email: str, *, instance: User | None = None) -> str:
    """The normalized e-mail, or ValidationError when another account already has it, in any case or in a
    spelling that looks the same (`orqueſtra`, `admın`, full-width letters, accents)."""
    normalized = user_email_normalize(email)
    others = User.objects.all()
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    if others.filter(email__iexact=normalized).exists():
        raise ValidationError({"email": _("Já existe um usuário com este e-mail.")})
    # A team has tens of accounts, not millions: comparing the folded forms in Python is cheap.
    folded = email_fold(normalized)
    if any(email_fold(existing) == folded for existing in others.values_list("email", flat=True).iterator()):
        raise ValidationError({"email": _("Já existe um usuário com um e-mail que se escreve igual a este.")})
    return normalized


def _active_administrators(*, lock: bool = False) -> QuerySet[User]:
    queryset = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
    # Locking the rows serialises two administrators removing each other at the same moment.
    return queryset.select_for_update() if lock else queryset


def user_administrators_left_without(users: Iterable[User], *, lock: bool = False) -> int:
    """Active administrators that would remain if `users` stopped being ones."""
    return _active_administrators(lock=lock).exclude(pk__in=[user.pk for user in users]).count()


def user_change_check(
    *, instance: User, role: str | None = None, is_active: bool | None = None, actor: User | None = None
) -> None:
    """ValidationError when the change would demote or deactivate the last active administrator, or
    when an administrator (`actor`) would demote or deactivate their own account: another one must."""
    if instance.pk is None:
        return
    was_admin = _active_administrators().filter(pk=instance.pk).exists()
    stays_admin = (role or instance.role) == Role.ADMINISTRATOR and (
        instance.is_active if is_active is None else is_active
    )
    if was_admin and not stays_admin and user_administrators_left_without([instance], lock=True) == 0:
        raise ValidationError({"role": _("Este é o único administrador ativo: cadastre outro antes de alterá-lo.")})
    if was_admin and not stays_admin and actor is not None and actor.pk == instance.pk:
        raise ValidationError(
            {"role": _("Você não pode rebaixar nem desativar a própria conta: peça a outro administrador.")}
        )


def user_password_check(password: str, *, email: str, name: str) -> None:
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from error


@transaction.atomic
def user_create(*, email: str, password: str, name: str, role: str = Role.OPERATOR, **fields: Any) -> User:
    if not password:
        raise ValidationError({"password": _("Informe uma senha.")})
    email = user_email_check(email)
    user_password_check(password, email=email, name=name)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"user_create: unknown fields {sorted(unknown)}")
    return User.objects.create_user(email, password, name=name, role=role, **fields)


@transaction.atomic
def user_update(*, user: User, password: str | None = None, actor: User | None = None, **fields: Any) -> User:
    """Applies `fields` (a subset of EDITABLE_FIELDS) and, if given, a new password; `actor` is who asks."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"user_update: unknown fields {sorted(unknown)}")
    if "email" in fields:
        fields["email"] = user_email_check(fields["email"], instance=user)
    user_change_check(instance=user, role=fields.get("role"), is_active=fields.get("is_active"), actor=actor)
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        user_password_check(password, email=user.email, name=user.name)
        user.set_password(password)
    user.save()
    return user


def user_delete_check(*, users: Iterable[User], actor: User | None = None, lock: bool = False) -> None:
    users = list(users)
    if actor is not None and any(user.pk == actor.pk for user in users):
        raise UserDeleteRefused(_("Você não pode excluir o próprio usuário."))
    removes_admin = any(user.role == Role.ADMINISTRATOR and user.is_active for user in users)
    if removes_admin and user_administrators_left_without(users, lock=lock) == 0:
        raise UserDeleteRefused(_("Este é o único administrador ativo: cadastre outro antes de excluí-lo."))


@transaction.atomic
def user_delete(*, users: Iterable[User], actor: User | None = None) -> int:
    """Deletes `users` (one or many) unless that removes the caller or the last active administrator."""
    users = list(users)
    user_delete_check(users=users, actor=actor, lock=True)
    deleted, _per_model = User.objects.filter(pk__in=[user.pk for user in users]).delete()
    return len(users) if deleted else 0
