from django.urls import path

from civicgrid.parking import views

app_name = "parking"

urlpatterns = [
    path("", views.index, name="index"),
    path("gate/", views.gate, name="gate"),
    path("me/", views.me, name="me"),
    path("find/", views.find, name="find"),
]
