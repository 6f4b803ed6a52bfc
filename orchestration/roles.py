"""What each role may do with orchestration's own models (see orchestration.registries.roles)."""

from orchestration.models.users import Role
from orchestration.registries.roles import ALL_PERMISSIONS, register_role_permissions

# ADMINISTRATOR is also a superuser (User.save), so it holds permissions of models added later too.
register_role_permissions(Role.ADMINISTRATOR, ALL_PERMISSIONS)
for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "orchestration.view_execution",
        "orchestration.view_executionlogline",
        "orchestration.cancel_execution",
        "orchestration.retry_execution",
        "orchestration.view_alert",
        "orchestration.resolve_alert",
        "orchestration.view_notification",
    )

# The invoice pipeline registers its own (a sub-package the shared modules never import).
from orchestration.invoices import roles as invoices_roles  # noqa: E402,F401  isort: skip
