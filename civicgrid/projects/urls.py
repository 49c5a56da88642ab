from django.urls import path

from civicgrid.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/", views.resident, name="resident"),
    path("<int:pk>/", views.detail, name="detail"),
]
