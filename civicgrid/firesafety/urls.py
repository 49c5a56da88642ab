from django.urls import path

from civicgrid.firesafety import views

app_name = "firesafety"

urlpatterns = [
    path("", views.index, name="index"),
    path("code/", views.code_houses, name="code"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.house_detail, name="house"),
    path("<int:pk>/label/", views.label, name="label"),
    path("labels/<int:community_id>/", views.labels, name="labels"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("inspections/<int:pk>/", views.inspected, name="inspected"),
    # The code on the door (一户一码): public, by its unguessable token.
    path("c/<str:token>/", views.scan, name="scan"),
    path("c/<str:token>/report/", views.scan_report, name="scan_report"),
    # Phone pages (360 px): the inspector at the house.
    path("m/inspect/", views.inspect_choose, name="inspect_choose"),
    path("m/inspect/<int:pk>/", views.inspect, name="inspect"),
]
