"""What each role may do with the invoice pipeline (see orchestration.registries.roles).

ADMINISTRATOR: everything (a superuser). OPERATOR runs the operations: download, manual upload, SAT upload and
retry; keeping the accounts right is one of them: it sees carriers, and sees, adds and changes accounts (the
CSV import needs add and change); it does not delete accounts (their invoice history depends on them;
deactivate instead) nor change carriers (their RPA class and configuration are technical settings).
APPROVER may do what OPERATOR runs on invoices, and approves and rejects them; it sees carriers and accounts,
to know whose invoice it approves, and changes neither."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "orchestration.view_carrier",
        "orchestration.view_carrieraccount",
        "orchestration.view_invoiceprocess",
        "orchestration.view_invoicerejection",
        "orchestration.run_invoiceprocess",
    )
register_role_permissions(Role.OPERATOR, "orchestration.add_carrieraccount", "orchestration.change_carrieraccount")
register_role_permissions(Role.APPROVER, "orchestration.approve_invoiceprocess")
