from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from civicgrid.accounts.throttle import with_lockout_message
from civicgrid.core.views import healthz

# Lazy, so each request shows them in its own language (English: see civicgrid/locale/en).
admin.site.site_header = _("civicgrid 网格化管理")
admin.site.site_title = "civicgrid"
admin.site.index_title = _("后台管理")
# The admin's login tells a locked-out user so, like the other logins (accounts.throttle).
admin.site.login_form = with_lockout_message(admin.site.login_form)

urlpatterns = [
    # The web front: "/" sends each role to its start page (civicgrid/web/navigation.py).
    path("", include("civicgrid.web.urls")),
    path("console/", include("civicgrid.console.urls")),
    path("m/", include("civicgrid.fieldwork.urls")),
    path("resident/", include("civicgrid.public.urls")),
    path("dashboard/", include("civicgrid.dashboard.urls")),
    path("sorting/", include("civicgrid.sorting.urls")),
    path("shops/", include("civicgrid.shops.urls")),
    path("fire/", include("civicgrid.firesafety.urls")),
    path("parking/", include("civicgrid.parking.urls")),
    path("timebank/", include("civicgrid.timebank.urls")),
    path("projects/", include("civicgrid.projects.urls")),
    path("meetings/", include("civicgrid.meetings.urls")),
    path("party/", include("civicgrid.party.urls")),
    path("notices/", include("civicgrid.notices.urls")),
    path("bulletin/", include("civicgrid.bulletin.urls")),
    path("dispatch/", include("civicgrid.dispatch.urls")),
    path("proactive/", include("civicgrid.proactive.urls")),
    path("campaigns/", include("civicgrid.campaigns.urls")),
    path("emergency/", include("civicgrid.emergency.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Tokens, logout and the login page (civicgrid/accounts/urls.py) before DRF's own.
    path("api/auth/", include("civicgrid.accounts.urls")),
    path("api/auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/grids/", include("civicgrid.grids.api.urls")),
    path("api/registry/", include("civicgrid.registry.api.urls")),
    path("api/estates/", include("civicgrid.estates.api.urls")),
    path("api/calendar/", include("civicgrid.workcalendar.api.urls")),
    path("api/cases/", include("civicgrid.cases.api.urls")),
    path("api/duty/", include("civicgrid.duty.api.urls")),
    path("api/survey/", include("civicgrid.survey.api.urls")),
    path("api/sorting/", include("civicgrid.sorting.api.urls")),
    path("api/shops/", include("civicgrid.shops.api.urls")),
    path("api/fire/", include("civicgrid.firesafety.api.urls")),
    path("api/parking/", include("civicgrid.parking.api.urls")),
    path("api/timebank/", include("civicgrid.timebank.api.urls")),
    path("api/projects/", include("civicgrid.projects.api.urls")),
    path("api/meetings/", include("civicgrid.meetings.api.urls")),
    path("api/party/", include("civicgrid.party.api.urls")),
    path("api/notices/", include("civicgrid.notices.api.urls")),
    path("api/bulletin/", include("civicgrid.bulletin.api.urls")),
    path("api/dispatch/", include("civicgrid.dispatch.api.urls")),
    path("api/proactive/", include("civicgrid.proactive.api.urls")),
    path("api/campaigns/", include("civicgrid.campaigns.api.urls")),
    path("api/emergency/", include("civicgrid.emergency.api.urls")),
    path("api/notifications/", include("civicgrid.messaging.api.urls")),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("api/attachments/", include("civicgrid.attachments.api.urls")),
]
# MEDIA_ROOT is never served as such: uploaded photos go out only through the attachments API,
# which checks that the user may see the case.

handler400 = "civicgrid.web.views.bad_request"
handler403 = "civicgrid.web.views.permission_denied"
handler404 = "civicgrid.web.views.page_not_found"
handler500 = "civicgrid.web.views.server_error"
