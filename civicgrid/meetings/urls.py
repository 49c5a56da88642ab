from django.urls import path

from civicgrid.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.plan, name="plan"),
    path("subjects/", views.subject_options, name="subjects"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("training/", views.training, name="training"),
    path("s/<str:token>/", views.sign_in, name="sign_in"),
    path("notices/<int:community>/", views.notices, name="notices"),
]
