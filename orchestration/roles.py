"""Which permissions each role's group carries. The migration and `setup_roles` apply this."""

from orchestration.models.users import Role

# Codenames as "app_label.codename"; "*" means every permission of the project.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: ["*"],
    Role.APPROVER: [
        "orchestration.view_execution",
        "orchestration.view_executionlogline",
        "orchestration.approve_invoices",
        "orchestration.run_operations",
        "orchestration.change_execution",
    ],
    Role.OPERATOR: [
        "orchestration.view_execution",
        "orchestration.view_executionlogline",
        "orchestration.run_operations",
        "orchestration.change_execution",
    ],
}
