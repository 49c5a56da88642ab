from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.parking.api import views

router = DefaultRouter()
router.register("spaces", views.SpaceViewSet, basename="parking-space")
router.register("vehicles", views.VehicleViewSet, basename="parking-vehicle")
router.register("rules", views.RuleSetViewSet, basename="parking-rules")
router.register("offers", views.OfferViewSet, basename="parking-offer")
router.register("bookings", views.BookingViewSet, basename="parking-booking")
router.register("congestion", views.CongestionViewSet, basename="parking-congestion")

urlpatterns = [
    path("report/", views.ReportView.as_view(), name="parking-report"),
    path("escalations/", views.EscalationView.as_view(), name="parking-escalations"),
    *router.urls,
]
