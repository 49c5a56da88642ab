from django.urls import path

from civicgrid.survey.api import views

urlpatterns = [
    path("results/", views.SurveyResultsView.as_view(), name="survey-results"),
]
