from civicgrid.core.routers import SimpleRouter
from civicgrid.messaging.api import views

router = SimpleRouter()
router.register("", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
