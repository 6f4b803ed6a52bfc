"""What each role may do with calendar_sync's models (see orchestration.registries.roles). Every query is
also scoped by the user's company (selectors.py), so a permission never reaches another company's data."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "calendar_sync.view_appointment",
        "calendar_sync.add_appointment",
        "calendar_sync.change_appointment",
        "calendar_sync.delete_appointment",
        "calendar_sync.sync_appointment",
        "calendar_sync.view_calendarsynclog",
        "calendar_sync.view_googlecalendarintegration",
        "calendar_sync.change_googlecalendarintegration",
    )
