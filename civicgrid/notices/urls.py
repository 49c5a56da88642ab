from django.urls import path

from civicgrid.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/object/", views.object_to, name="object"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("kiosk/<int:grid>/", views.kiosk, name="kiosk"),
    path("me/", views.me, name="me"),
    path("nominate/", views.nominate, name="nominate"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.compose, name="compose"),
    path("staff/generate/", views.generate_roll, name="generate"),
    path("staff/<int:pk>/", views.manage, name="manage"),
    path("staff/relocations/<int:pk>/", views.relocation, name="relocation"),
    path("staff/nominations/", views.nominations, name="nominations"),
]
