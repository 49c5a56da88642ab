from django.urls import path

from civicgrid.core.routers import SimpleRouter
from civicgrid.sorting.api import views

router = SimpleRouter()
router.register("points", views.PointViewSet, basename="sorting-point")
router.register("shifts", views.ShiftViewSet, basename="sorting-shift")
router.register("weighings", views.WeighingViewSet, basename="sorting-weighing")
router.register("inspections", views.InspectionViewSet, basename="sorting-inspection")
router.register("pledges", views.PledgeViewSet, basename="sorting-pledge")
router.register("conventions", views.ConventionViewSet, basename="sorting-convention")
router.register("green/entries", views.PointsEntryViewSet, basename="sorting-green-entry")
router.register("green/balances", views.BalanceViewSet, basename="sorting-green-balance")
router.register("green/rewards", views.RewardViewSet, basename="sorting-green-reward")

urlpatterns = [
    path("template/", views.TemplateView.as_view(), name="sorting-template"),
    path("report/", views.ReportView.as_view(), name="sorting-report"),
    path("green/award/", views.AwardView.as_view(), name="sorting-green-award"),
    path("green/redeem/", views.RedeemView.as_view(), name="sorting-green-redeem"),
    *router.urls,
]
