from django.urls import path

from civicgrid.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/done/<str:token>/", views.report_done, name="report_done"),
    path("track/", views.track, name="track"),
    # The page behind the link in the reporter's messages (machines: /api/cases/track/<token>/).
    path("t/<str:token>/", views.track_token, name="track_token"),
    path("t/<str:token>/rate/", views.rate, name="rate"),
    path("survey/", views.survey, name="survey"),
]
