"""Creates the role groups and gives each the permissions its role is granted (idempotent)."""

from django.contrib.auth.models import Group, Permission

from orchestration.registries.roles import ALL_PERMISSIONS, role_permissions


def roles_sync(group_model: type[Group] = Group, permission_model: type[Permission] = Permission) -> None:
    for role, codes in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=role)
        if ALL_PERMISSIONS in codes:
            permissions = list(permission_model.objects.all())
        else:
            permissions = []
            for code in sorted(codes):
                app_label, codename = code.split(".")
                permissions += list(
                    permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
                )
        group.permissions.set(permissions)
