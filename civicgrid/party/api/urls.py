from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.party.api import views

app_name = "party-api"

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="party-organisation")
router.register("members", views.MemberViewSet, basename="party-member")
router.register("life", views.LifeViewSet, basename="party-life")
router.register("ratings", views.RatingViewSet, basename="party-rating")
router.register("co-buildings", views.CoBuildingViewSet, basename="party-co-building")
router.register("points", views.ServicePointViewSet, basename="party-point")
router.register("service-points", views.ServicePointStaffViewSet, basename="party-service-point")

urlpatterns = [
    path("coverage/", views.CoverageView.as_view(), name="party-coverage"),
    path("completion/", views.CompletionView.as_view(), name="party-completion"),
    *router.urls,
]
