"""The web front's own pages: the landing page, login and logout, and the 403 page."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
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
