"""Sign-in routes under /api/auth/ (included before rest_framework.urls, which they shadow)."""

from django.contrib.auth.views import LoginView
from django.urls import path

from civicgrid.accounts import api
from civicgrid.accounts.throttle import ThrottledAuthenticationForm

urlpatterns = [
    path("token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("tokens/", api.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", api.TokenDetailView.as_view(), name="api-token-detail"),
    path("logout/", api.LogoutView.as_view(), name="api-logout"),
    # The browsable API's login page, with the lock-out message of the other login forms.
    path(
        "login/",
        LoginView.as_view(
            template_name="rest_framework/login.html",
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="api-login",
    ),
]
