from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.notices.api import views

app_name = "notices-api"

router = DefaultRouter()
router.register("notices", views.NoticeViewSet, basename="notices-notice")

urlpatterns = [
    path("me/relocations/", views.MyRelocationView.as_view(), name="notices-my-relocations"),
    *router.urls,
]
