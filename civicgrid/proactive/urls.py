from django.urls import path

from civicgrid.proactive import views

app_name = "proactive"

urlpatterns = [
    path("", views.index, name="index"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("hotspots/<int:pk>/", views.hotspot, name="hotspot"),
    path("anomalies/<int:pk>/", views.anomaly, name="anomaly"),
    path("m/", views.my_tasks, name="my_tasks"),
    path("m/tasks/<int:pk>/", views.task, name="task"),
]
