"""Who may open a page: `role_required(*roles)` for the view functions of every app with pages
(the fronts, the dashboard, a programme's pages), with a role set of accounts.policy.

Pages check the role here and the data scope through grids.scoping / cases.permissions, the
same rules as the API. It lives with the roles, below every app with pages, so that an app
lower than the fronts (the dashboard) can gate its pages without importing a front. An anonymous visitor is sent to the login page; a signed-in user of the
wrong role gets a 403 page in their language that says which roles the page is for.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role


def role_required(*roles):
    """Decorator for a view function: the user must be signed in and have one of `roles`
    (effective role; a superuser without a role counts as 系统管理员)."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if allowed and user.effective_role not in allowed:
                raise PermissionDenied(
                    _("此页面仅供%(roles)s使用")
                    % {"roles": "、".join(str(Role(r).label) for r in sorted(allowed))}
                )
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator
