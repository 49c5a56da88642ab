from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.timebank.api import views

router = DefaultRouter()
router.register("partners", views.PartnerViewSet, basename="timebank-partner")
router.register("projects", views.ProjectViewSet, basename="timebank-project")
router.register("volunteers", views.VolunteerViewSet, basename="timebank-volunteer")
router.register("records", views.RecordViewSet, basename="timebank-record")
router.register("requests", views.RequestViewSet, basename="timebank-request")
router.register("accounts", views.AccountViewSet, basename="timebank-account")
router.register("transfers", views.TransferViewSet, basename="timebank-transfer")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="timebank-me"),
    path("report/", views.ReportView.as_view(), name="timebank-report"),
    *router.urls,
]
