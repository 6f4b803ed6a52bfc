"""The first administrator of a new installation (`manage.py ensure_admin`, run by `make run`)."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from orchestration.exceptions import ValidationFailed
from orchestration.models import Role, User


@dataclass(frozen=True)
class AdminEnsured:
    user: User
    created: bool
    # Set only when this call created the user with a password it generated: the one chance to show it.
    generated_password: str | None = None


def admin_ensure(*, email: str, password: str | None = None) -> AdminEnsured:
    """Creates an ADMINISTRATOR unless an active one exists. Without `password`, generates one."""
    with transaction.atomic():
        existing = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
        if existing is not None:
            return AdminEnsured(user=existing, created=False)
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationFailed(
                _(
                    "O e-mail %(email)s já pertence a um usuário que não é administrador ativo; "
                    "escolha outro em ORQUESTRA_ADMIN_EMAIL."
                )
                % {"email": email}
            )
        generated = None if password else secrets.token_urlsafe(15)
        user = User.objects.create_user(
            email, password or generated, name=_("Administrador"), role=Role.ADMINISTRATOR, is_staff=True
        )
    return AdminEnsured(user=user, created=True, generated_password=generated)
