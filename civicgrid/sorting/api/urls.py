from django.urls import path
from rest_framework.routers import SimpleRouter

from civicgrid.sorting.api import views

router = SimpleRouter()
router.register("points", views.PointViewSet, basename="sorting-point")
router.register("shifts", views.ShiftViewSet, basename="sorting-shift")
router.register("weighings", views.WeighingViewSet, basename="sorting-weighing")
router.register("inspections", views.InspectionViewSet, basename="sorting-inspection")

urlpatterns = [
    path("template/", views.TemplateView.as_view(), name="sorting-template"),
    path("report/", views.ReportView.as_view(), name="sorting-report"),
    *router.urls,
]
