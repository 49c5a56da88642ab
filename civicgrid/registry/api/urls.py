from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.registry.api import views

router = DefaultRouter()
router.register("addresses", views.AddressViewSet, basename="registry-address")
router.register("households", views.HouseholdViewSet, basename="registry-household")
router.register("residents", views.ResidentViewSet, basename="registry-resident")
router.register("rentals", views.RentalViewSet, basename="registry-rental")

urlpatterns = [
    path("figures/", views.FiguresView.as_view(), name="registry-figures"),
    path("import/", views.ImportView.as_view(), name="registry-import"),
    path("import/template/", views.ImportTemplateView.as_view(), name="registry-import-template"),
    *router.urls,
]
