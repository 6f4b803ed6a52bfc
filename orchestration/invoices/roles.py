"""What each role may do with carriers and their accounts (see orchestration.registries.roles).

ADMINISTRATOR: everything (a superuser). OPERATOR runs the operations, and keeping the accounts right is one
of them: it sees carriers, and sees, adds and changes accounts (the CSV import needs add and change); it does
not delete accounts (their invoice history depends on them; deactivate instead) nor change carriers (their
RPA class and configuration are technical settings). APPROVER approves invoices: it sees carriers and
accounts, to know whose invoice it approves, and changes neither. Every role sees invoice processes, which
the monthly report is made of."""

from orchestration.models import Role
from orchestration.registries.roles import register_role_permissions

for _role in (Role.APPROVER, Role.OPERATOR):
    register_role_permissions(
        _role,
        "orchestration.view_carrier",
        "orchestration.view_carrieraccount",
        "orchestration.view_invoiceprocess",
    )
register_role_permissions(Role.OPERATOR, "orchestration.add_carrieraccount", "orchestration.change_carrieraccount")
