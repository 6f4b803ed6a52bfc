"""Which permissions each role's group carries; applied by migration 0002 and after every migrate."""

from orchestration.models.users import Role

# Codenames as "app_label.codename"; "*" means every permission of the project. Permissions of apps
# migrated later are granted by the post_migrate sync (orchestration.signals.sync_role_groups).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: ["*"],
    Role.APPROVER: [
        "orchestration.view_execution",
        "orchestration.view_executionlogline",
        "orchestration.approve_invoices",
        "orchestration.run_operations",
        "orchestration.change_execution",
        "integrations.view_ticket",
        "integrations.view_movideskbackfill",
    ],
    Role.OPERATOR: [
        "orchestration.view_execution",
        "orchestration.view_executionlogline",
        "orchestration.run_operations",
        "orchestration.change_execution",
        "integrations.view_ticket",
        "integrations.view_movideskbackfill",
    ],
}
