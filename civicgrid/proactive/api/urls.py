from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.proactive.api import views

app_name = "proactive-api"

router = DefaultRouter()
router.register("problems", views.ProblemViewSet, basename="proactive-problem")
router.register("hotspots", views.HotspotViewSet, basename="proactive-hotspot")
router.register("anomalies", views.AnomalyViewSet, basename="proactive-anomaly")
router.register("tasks", views.TaskViewSet, basename="proactive-task")

urlpatterns = [
    path("shares/", views.ShareView.as_view(), name="proactive-shares"),
    *router.urls,
]
