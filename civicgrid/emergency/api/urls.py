from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.emergency.api import views

app_name = "emergency-api"

router = DefaultRouter()
router.register("points", views.PointViewSet, basename="emergency-point")
router.register("contacts", views.ContactViewSet, basename="emergency-contact")
router.register("works", views.WorkViewSet, basename="emergency-work")
router.register("stores", views.StoreViewSet, basename="emergency-store")
router.register("plans", views.PlanViewSet, basename="emergency-plan")
router.register("drills", views.DrillViewSet, basename="emergency-drill")
router.register("responses", views.ResponseViewSet, basename="emergency-response")
router.register("tasks", views.TaskViewSet, basename="emergency-task")
router.register("reports", views.ReportViewSet, basename="emergency-report")

urlpatterns = [
    path("board/", views.BoardView.as_view(), name="emergency-board"),
    *router.urls,
]
