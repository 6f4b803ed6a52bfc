"""What each role may do with invoice processes (see orchestration.registries.roles).

Download, manual upload, SAT upload and retry: OPERATOR and above; approve and reject: APPROVER (and
ADMINISTRATOR, who holds every permission)."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "orchestration.view_invoiceprocess",
        "orchestration.view_invoicerejection",
        "orchestration.run_invoiceprocess",
    )
register_role_permissions(Role.APPROVER, "orchestration.approve_invoiceprocess")
