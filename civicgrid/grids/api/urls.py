from django.urls import path

from civicgrid.core.routers import SimpleRouter
from civicgrid.grids.api import locate, views

# SimpleRouter, not DefaultRouter: the grid list itself lives at the root of /api/grids/, where
# DefaultRouter would put its API index. Grid details are looked up by their digit-only code, so
# "staff/", "posts/", "geojson/" and "import/" never collide with them.
router = SimpleRouter()
router.register("staff", views.StaffMemberViewSet, basename="grid-staff")
router.register("posts", views.GridPostViewSet, basename="grid-post")
router.register("", views.GridViewSet, basename="grid")

urlpatterns = [
    path("locate/", locate.LocateView.as_view(), name="grid-locate"),
    path("locate/batch/", locate.LocateBatchView.as_view(), name="grid-locate-batch"),
    *router.urls,
]
