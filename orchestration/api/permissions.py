"""Role-based permissions for the API, the same rules the admin applies through groups."""

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from orchestration.models import Role

if TYPE_CHECKING:
    from rest_framework.views import APIView


class RolePermission(BasePermission):
    """Default: any signed-in user reads; writes need OPERATOR or above.

    A view narrows it with `required_roles` (for all methods) or `action_roles` ({action: roles}).
    """

    write_roles = (Role.ADMINISTRATOR, Role.APPROVER, Role.OPERATOR)

    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        action = getattr(view, "action", None)
        action_roles: dict[str, tuple[str, ...]] = getattr(view, "action_roles", {})
        if action in action_roles:
            return user.has_role(*action_roles[action])
        required = getattr(view, "required_roles", None)
        if required is not None:
            return user.has_role(*required)
        if request.method in SAFE_METHODS:
            return True
        return user.has_role(*self.write_roles)

    def has_object_permission(self, request: Request, view: "APIView", obj: Any) -> bool:
        return self.has_permission(request, view)


class IsAdministrator(RolePermission):
    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(Role.ADMINISTRATOR))
