"""Creates the role groups and gives each its permissions (idempotent)."""

from django.contrib.auth.models import Group, Permission

from orchestration.roles import ROLE_PERMISSIONS


def roles_sync(group_model: type[Group] = Group, permission_model: type[Permission] = Permission) -> None:
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=str(role))
        if codes == ["*"]:
            permissions = list(permission_model.objects.all())
        else:
            permissions = []
            for code in codes:
                app_label, codename = code.split(".")
                permissions += list(
                    permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
                )
        group.permissions.set(permissions)
