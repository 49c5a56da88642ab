"""Who may look at, change and fully reveal registry data — by role, for admin and API alike.

Row-level scoping (which micro-grids) is grids.scoping; this module only answers "may this
role do this at all". Department handlers and residents have no business with the registry.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions

from civicgrid.accounts.policy import REGISTRY_VIEW_ROLES


def may_view_registry(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in REGISTRY_VIEW_ROLES)


def may_change_registry(user) -> bool:
    return may_view_registry(user) and not user.is_read_only


def ensure_may_write(user):
    """user=None means a trusted caller (management command, data generator)."""
    if user is not None and not may_change_registry(user):
        raise PermissionDenied(_("您的角色只能查看，不能修改人口房屋数据"))


def ensure_may_reveal(user):
    if not (may_view_registry(user) and user.may_view_full_pii):
        raise PermissionDenied(_("您的角色无权查看完整的证件号码和手机号"))


class RegistryPermission(permissions.BasePermission):
    """API: registry roles read; all but leaders write."""

    message = gettext_lazy("您的角色无权访问人口房屋数据")

    def has_permission(self, request, view):
        if not may_view_registry(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "reveal":
            return True  # the service decides, with its own message
        if not may_change_registry(request.user):
            self.message = _("您的角色只能查看，不能修改人口房屋数据")
            return False
        return True
