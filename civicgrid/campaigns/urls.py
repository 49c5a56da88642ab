from django.urls import path

from civicgrid.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/report/", views.readiness_report, name="report"),
    path("<int:pk>/plan/", views.plan_round, name="plan_round"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/close/", views.close_round, name="close_round"),
    path("plans/<int:pk>/done/", views.plan_done, name="plan_done"),
    path("structures/", views.structures, name="structures"),
    path("structures/<int:pk>/move/", views.move_structure, name="move_structure"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("m/", views.my_round, name="my_round"),
    path("m/a/<int:pk>/", views.inspect, name="inspect"),
]
