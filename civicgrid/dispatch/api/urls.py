from django.urls import path

from civicgrid.core.routers import DefaultRouter
from civicgrid.dispatch.api import views

app_name = "dispatch-api"

router = DefaultRouter()
router.register("responsibilities", views.ResponsibilityViewSet, basename="dispatch-responsibility")

urlpatterns = [
    path("predict/", views.PredictView.as_view(), name="predict"),
    path("cases/<int:case_id>/suggestion/", views.SuggestionView.as_view(), name="suggestion"),
    path("auto-dispatch/counts/", views.AutoDispatchCountsView.as_view(), name="auto-counts"),
    path("cases/<int:case_id>/accept/", views.AcceptView.as_view(), name="accept"),
    *router.urls,
]
