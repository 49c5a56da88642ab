from django.urls import path, re_path

from civicgrid.web import notices, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("notifications/", notices.notification_list, name="notifications"),
    path("notifications/read-all/", notices.notification_read_all, name="notifications-read-all"),
    re_path(
        r"^notifications/(?P<pk>[0-9]{1,18})/open/$",
        notices.notification_open,
        name="notification-open",
    ),
]
