from rest_framework.routers import DefaultRouter

from civicgrid.bulletin.api import views

app_name = "bulletin-api"

router = DefaultRouter()
router.register("issues", views.IssueViewSet, basename="bulletin-issue")
router.register("articles", views.ArticleViewSet, basename="bulletin-article")

urlpatterns = router.urls
