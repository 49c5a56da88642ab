from civicgrid.campaigns.api import views
from civicgrid.core.routers import DefaultRouter

app_name = "campaigns-api"

router = DefaultRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaigns-campaign")
router.register("checkpoints", views.CheckpointViewSet, basename="campaigns-checkpoint")
router.register("rounds", views.RoundViewSet, basename="campaigns-round")
router.register("assignments", views.AssignmentViewSet, basename="campaigns-assignment")
router.register("inspections", views.InspectionViewSet, basename="campaigns-inspection")
router.register("structures", views.StructureViewSet, basename="campaigns-structure")
router.register("creations", views.CreationViewSet, basename="campaigns-creation")

urlpatterns = router.urls
