from django.urls import path

from civicgrid.dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("case/<str:number>/accept/", views.accept, name="accept"),
]
