from django.urls import re_path

from civicgrid.open311 import views

app_name = "open311"

# Every resource ends in .json or .xml (the spec's response_format); other formats get a 404
# in the spec's error format instead of Django's HTML page.
FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^services" + FMT, views.services_list, name="services"),
    re_path(r"^services/(?P<code>[^/.]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<number>[^/.]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FMT, views.token_detail, name="token"),
]
