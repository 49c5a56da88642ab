from django.urls import path

from civicgrid.party import views

app_name = "party"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<int:pk>/", views.organisation, name="organisation"),
    path("life/", views.life, name="life"),
    path("stars/", views.stars, name="stars"),
    path("members/", views.members, name="members"),
    # 15分钟党群服务圈: public, no sign-in.
    path("map/", views.public_map, name="map"),
]
