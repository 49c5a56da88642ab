"""Who may open a page: `role_required(*roles)` for the view functions of every app with pages
(the fronts, the dashboard, a programme's pages), with a role set of accounts.policy. Who may
take an action: `require_role(user, roles, message)` and `require(allowed, message)` for the
services, which check again whatever the page or endpoint let through.

Pages check the role here and the data scope through grids.scoping / cases.permissions, the
same rules as the API. It lives with the roles, below every app with pages, so that an app
lower than the fronts (the dashboard) can gate its pages without importing a front. An anonymous visitor is sent to the login page; a signed-in user of the
wrong role gets a 403 page in their language that says which roles the page is for.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.core.htmx import page_on_this_site


def _referring_page(request) -> str | None:
    """The page of this site a request came from (its Referer), or None."""
    return page_on_this_site(request, request.headers.get("Referer", ""))


def wants_json(request) -> bool:
    """A page's script asking for data (fetch with `Accept: application/json`), not a page: a
    browser's page load always accepts text/html."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def login_redirect(request):
    """The login page, and back afterwards. A page asked for (GET) is where the user returns; a
    form posted after the session ended returns to the page the form was on (its Referer on this
    site, else the home page), with a message that what was sent is not saved: the action's own
    URL answers only a POST, and after the login it was a bare 405 page.

    A page's script asking for JSON (the big screen's figures every minute, the case map, a
    phone's route points) gets 401 with the login page for the page it runs on (`login_url`):
    redirected, fetch read the login page as its data, failed to parse it and said nothing, and
    the big screen went on showing old figures (web/static/web/session.js)."""
    if wants_json(request) and request.headers.get("HX-Request") != "true":
        page = _referring_page(request) or resolve_url("web:home")
        answer = JsonResponse(
            {
                "error": _("登录已失效，请重新登录后继续。"),
                "login_url": redirect_to_login(page)["Location"],
            },
            status=401,
            json_dumps_params={"ensure_ascii": False},
        )
        # 401 names how to authenticate: the login page's session cookie.
        answer["WWW-Authenticate"] = 'Session realm="civicgrid"'
        return answer
    if request.method in ("GET", "HEAD"):
        return redirect_to_login(request.get_full_path())
    messages.warning(request, _("登录已失效，刚才提交的内容没有保存，请登录后重新办理。"))
    return redirect_to_login(_referring_page(request) or resolve_url("web:home"))


def role_of(user):
    """The user's effective role, or None for no user (a command, a periodic job) and for an
    anonymous visitor."""
    return getattr(user, "effective_role", None)


def require(allowed: bool, message) -> None:
    """A service's permission check that is already a yes or no (`may_edit(user)` …):
    PermissionDenied with `message` (says what the user may not do) when it is no. Pages show
    the message on a 403 page or next to the form, the API as a 403 body."""
    if not allowed:
        raise PermissionDenied(message)


def require_role(user, roles, message=None) -> None:
    """A service's role check: the user must have one of `roles` and not be a read-only role
    (a leader looks, never changes data, even when a role set names them). No user (None) is
    the system itself (a command, a periodic job, another service) and passes; the services'
    scope checks come after this one."""
    if user is None:
        return
    if user.effective_role not in roles or user.is_read_only:
        raise PermissionDenied(message or _("您的角色不能进行此操作"))


def role_required(*roles):
    """Decorator for a view function: the user must be signed in and have one of `roles`
    (effective role; a superuser without a role counts as 系统管理员)."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return login_redirect(request)
            if allowed and user.effective_role not in allowed:
                raise PermissionDenied(
                    _("此页面仅供%(roles)s使用")
                    % {"roles": "、".join(str(Role(r).label) for r in sorted(allowed))}
                )
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator
