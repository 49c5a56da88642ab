from civicgrid.bulletin.api import views
from civicgrid.core.routers import DefaultRouter

app_name = "bulletin-api"

router = DefaultRouter()
router.register("issues", views.IssueViewSet, basename="bulletin-issue")
router.register("articles", views.ArticleViewSet, basename="bulletin-article")

urlpatterns = router.urls
