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
    path("t/<str:token>/add/", views.add_info, name="add_info"),
    path("t/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("t/<str:token>/photos/<int:pk>/", views.photo, name="photo"),
    path(
        "t/<str:token>/photos/<int:pk>/thumb/", views.photo, {"size": "thumb"}, name="photo_thumb"
    ),
    path("survey/", views.survey, name="survey"),
]
