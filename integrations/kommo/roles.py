"""What each role may do with Kommo's models (see orchestration.registries.roles)."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "integrations.view_kommoaccount",
        "integrations.view_kommoreplicareport",
        "integrations.sync_kommoaccount",
    )
