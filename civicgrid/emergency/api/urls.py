from django.urls import path
from rest_framework.routers import DefaultRouter

from civicgrid.emergency.api import views

app_name = "emergency-api"

router = DefaultRouter()
router.register("points", views.PointViewSet, basename="emergency-point")
router.register("responses", views.ResponseViewSet, basename="emergency-response")
router.register("tasks", views.TaskViewSet, basename="emergency-task")
router.register("reports", views.ReportViewSet, basename="emergency-report")

urlpatterns = [
    path("board/", views.BoardView.as_view(), name="emergency-board"),
    *router.urls,
]
