from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.duty.api import views

router = DefaultRouter()
router.register("shifts", views.DutyShiftViewSet, basename="duty-shift")
router.register("supervisions", views.SupervisionViewSet, basename="supervision")
router.register("liaisons", views.LiaisonViewSet, basename="liaison")

urlpatterns = [
    path("on-duty/", views.OnDutyView.as_view(), name="on-duty"),
    *router.urls,
]
