from django.urls import path

from civicgrid.timebank import views

app_name = "timebank"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("help/", views.help_request, name="help"),
    path("volunteers/", views.volunteers, name="volunteers"),
]
