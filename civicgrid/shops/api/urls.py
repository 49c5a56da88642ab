from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.shops.api import views

router = DefaultRouter()
router.register("blocks", views.BlockViewSet, basename="shops-block")
router.register("shops", views.ShopViewSet, basename="shops-shop")
router.register("associations", views.AssociationViewSet, basename="shops-association")
router.register("items", views.InspectionItemViewSet, basename="shops-item")
router.register("inspections", views.InspectionViewSet, basename="shops-inspection")

urlpatterns = [
    path("report/", views.ReportView.as_view(), name="shops-report"),
    *router.urls,
]
