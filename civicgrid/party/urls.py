from django.urls import path

from civicgrid.party import views

app_name = "party"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/new/", views.organisation_form, name="organisation_new"),
    path("org/<int:pk>/", views.organisation, name="organisation"),
    path("org/<int:pk>/edit/", views.organisation_form, name="organisation_edit"),
    path("life/", views.life, name="life"),
    path("life/new/", views.life_form, name="life_new"),
    path("life/sessions/", views.life_sessions, name="life_sessions"),
    path("stars/", views.stars, name="stars"),
    path("stars/new/", views.rating_form, name="rating_new"),
    path("stars/<int:pk>/edit/", views.rating_form, name="rating_edit"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_form, name="member_new"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/edit/", views.member_form, name="member_edit"),
    path("posts/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("points/", views.points, name="points"),
    path("points/new/", views.point_form, name="point_new"),
    path("points/<int:pk>/edit/", views.point_form, name="point_edit"),
    path("co-buildings/", views.co_buildings, name="co_buildings"),
    path("co-buildings/new/", views.co_building_form, name="co_building_new"),
    path("co-buildings/<int:pk>/edit/", views.co_building_form, name="co_building_edit"),
    # 15分钟党群服务圈: public, no sign-in.
    path("map/", views.public_map, name="map"),
]
