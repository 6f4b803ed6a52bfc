"""What each role may do. Every app declares its own grants in `<app>/roles.py`:

    register_role_permissions(Role.OPERATOR, "integrations.view_movideskticket", ...)

Codes are "app_label.codename"; "*" grants every permission of the project (ADMINISTRATOR). The grants
become the role groups' permissions (orchestration.services.roles.roles_sync, after every migrate), and
both the admin and the API check those Django permissions, so the two cannot drift apart.
"""

from collections import defaultdict

from django.utils.module_loading import autodiscover_modules

ALL_PERMISSIONS = "*"

_GRANTS: dict[str, set[str]] = defaultdict(set)


def register_role_permissions(role: str, *codes: str) -> None:
    for code in codes:
        if code != ALL_PERMISSIONS and code.count(".") != 1:
            raise ValueError(f"permission {code!r}: write it as 'app_label.codename'")
        _GRANTS[str(role)].add(code)


def role_permissions() -> dict[str, frozenset[str]]:
    """Role → permission codes, after importing every installed app's `roles` module."""
    autodiscover_modules("roles")
    return {role: frozenset(codes) for role, codes in _GRANTS.items()}
