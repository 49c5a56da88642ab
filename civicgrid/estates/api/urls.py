from civicgrid.core.routers import DefaultRouter
from civicgrid.estates.api import views

router = DefaultRouter()
router.register("estates", views.EstateViewSet, basename="estate")
router.register("property-companies", views.PropertyCompanyViewSet, basename="property-company")

urlpatterns = router.urls
