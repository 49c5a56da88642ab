from django.urls import path

from civicgrid.sorting import views

app_name = "sorting"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("points/", views.points, name="points"),
    path("points/<int:pk>/", views.point, name="point"),
    path("points/<int:pk>/state/", views.point_state, name="point_state"),
    path("estates/<int:pk>/", views.estate, name="estate"),
    path("shifts/", views.shifts, name="shifts"),
    path("weighings/", views.weighings, name="weighings"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/", views.inspected, name="inspected"),
    path("photos/<int:pk>/", views.inspection_photo, name="photo"),
    path("half-year/", views.half_year, name="half_year"),
    path("green/", views.green_home, name="green"),
    path("green/households/<int:pk>/", views.green_household, name="green_household"),
    path("green/months/", views.green_months, name="green_months"),
    path("half-year.xlsx", views.half_year_xlsx, name="half_year_xlsx"),
    # Phone pages (360 px): the guide at the point, the inspector at the estate.
    path("m/guide/", views.guide_home, name="guide"),
    path("m/guide/<int:pk>/check-in/", views.guide_check_in, name="check_in"),
    path("m/guide/<int:pk>/check-out/", views.guide_check_out, name="check_out"),
    path("m/inspect/", views.inspect_choose, name="inspect_choose"),
    path("m/inspect/<int:estate_id>/", views.inspect, name="inspect"),
]
