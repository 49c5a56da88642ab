from django.urls import path

from civicgrid.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/", views.resident, name="resident"),
    path("<int:pk>/", views.detail, name="detail"),
    path("new/", views.project_form, name="new"),
    path("<int:pk>/edit/", views.project_form, name="edit"),
    path("campaigns/new/", views.campaign_form, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", views.campaign_form, name="campaign_edit"),
    path("ideas/", views.ideas, name="ideas"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
