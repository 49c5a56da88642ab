from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.firesafety.api import views

router = DefaultRouter()
router.register("houses", views.HouseViewSet, basename="fire-house")
router.register("items", views.CheckItemViewSet, basename="fire-item")
router.register("inspections", views.InspectionViewSet, basename="fire-inspection")

urlpatterns = [
    path("report/", views.ReportView.as_view(), name="fire-report"),
    *router.urls,
]
