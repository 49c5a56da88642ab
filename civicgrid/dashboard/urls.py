from django.urls import path

from civicgrid.dashboard import estates, heat, views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("screen/", views.screen, name="screen"),
    path("data.json", views.data, name="data"),
    path("export.xlsx", views.export, name="export"),
    path("heat.json", heat.heat, name="heat"),
    path("grid/<str:code>/cases/", views.grid_cases, name="grid_cases"),
    path("estates/", estates.estate_list, name="estates"),
    path("estates/<int:pk>/", estates.estate_detail, name="estate"),
]
