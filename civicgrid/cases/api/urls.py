from django.urls import path

from civicgrid.cases.api import views
from civicgrid.core.routers import SimpleRouter

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="case-category")
router.register("", views.CaseViewSet, basename="case")

urlpatterns = [
    path("hotline/", views.HotlineView.as_view(), name="case-hotline"),
    path("indicators/", views.IndicatorsView.as_view(), name="case-indicators"),
    path("track/<str:token>/", views.TrackView.as_view(), name="case-track"),
    path("track/<str:token>/rate/", views.TrackRateView.as_view(), name="case-track-rate"),
    *router.urls,
]
