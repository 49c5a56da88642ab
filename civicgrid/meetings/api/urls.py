from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.meetings.api import views

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet, basename="meetings-meeting")
router.register("training", views.TrainingViewSet, basename="meetings-training")

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="meetings-sign-in"),
    path("coverage/", views.CoverageView.as_view(), name="meetings-coverage"),
    path("evaluations/", views.EvaluationsView.as_view(), name="meetings-evaluations"),
    *router.urls,
]
