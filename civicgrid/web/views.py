"""The web front's own pages: the landing page, login and logout, and the error pages (400, 403,
404, 500) in the user's language with a way back; API and Open311 paths get their own error
shapes."""

from django.contrib.auth import login, logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from civicgrid.web.forms import LoginForm
from civicgrid.web.navigation import home_url_name


def home(request):
    """Signed-in users go to their role's start page; visitors see the landing page."""
    if request.user.is_authenticated:
        return redirect(home_url_name(request.user))
    return render(request, "web/landing.html")


@never_cache
@csrf_protect
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.user)
            return redirect(next_url or home_url_name(form.user))
    else:
        form = LoginForm(request)
    return render(request, "web/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:home")


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "web/403.html", {"message": message}, status=403)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404 for every path: JSON `{"detail": …}` under /api/, the page elsewhere. Never the URL
    patterns (DEBUG is off outside development)."""
    if _wants_json(request):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return render(request, "web/404.html", {"path": request.path}, status=404)


def bad_request(request, exception=None):
    """400 (a request Django could not take: a bad host, a broken upload, too many fields)."""
    if _wants_json(request):
        return JsonResponse({"detail": _("请求无效。")}, status=400)
    return render(request, "web/400.html", status=400)


def server_error(request):
    """500: a page that needs nothing from the database or the request's context processors."""
    if _wants_json(request):
        return JsonResponse({"detail": _("服务器出错，请稍后再试。")}, status=500)
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("web/500.html").render())
