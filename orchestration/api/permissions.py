"""The API's one permission check: Django permissions, which the role table grants to each role's group.

The admin checks the same permissions, so what a role may do cannot differ between the two.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView

# The model permission a method needs on a view that declares nothing (as DRF's DjangoModelPermissions).
METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def has_perm(user: Any, perms: Sequence[str]) -> bool:
    """True for an active, signed-in user holding every one of `perms` (an empty list: any such user)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perms(list(perms))


class RequiredPermissions(BasePermission):
    """A view declares `required_perms`: a list for all its actions, or a mapping keyed by action name
    (viewsets) or lower-case HTTP method (plain views), with "*" as the fallback.

    A view that declares nothing but has a queryset needs its model's own permission for the method:
    view_<model> to read, add_/change_/delete_<model> to write. A view with neither is refused, so a
    forgotten declaration closes the endpoint instead of opening it.
    """

    def required(self, request: Request, view: "APIView") -> Sequence[str] | None:
        declared = getattr(view, "required_perms", None)
        if isinstance(declared, Mapping):
            for key in (getattr(view, "action", None), (request.method or "").lower(), "*"):
                if key in declared:
                    return declared[key]
        elif declared is not None:
            return declared
        queryset = getattr(view, "queryset", None)
        action = METHOD_ACTIONS.get(request.method or "")
        if queryset is None or action is None:
            return None
        opts = queryset.model._meta
        return [f"{opts.app_label}.{action}_{opts.model_name}"]

    def has_permission(self, request: Request, view: "APIView") -> bool:
        perms = self.required(request, view)
        return perms is not None and has_perm(request.user, perms)

    def has_object_permission(self, request: Request, view: "APIView", obj: Any) -> bool:
        return self.has_permission(request, view)
