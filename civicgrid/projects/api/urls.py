from civicgrid.core.routers import DefaultRouter
from civicgrid.projects.api import views

router = DefaultRouter()
router.register("campaigns", views.CampaignViewSet, basename="projects-campaign")
router.register("projects", views.ProjectViewSet, basename="projects-project")
router.register("ideas", views.IdeaViewSet, basename="projects-idea")

urlpatterns = router.urls
