from django.urls import path

from civicgrid.bulletin import views

app_name = "bulletin"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:number>/", views.public, name="public"),
    path("<int:number>/edit/", views.edit, name="edit"),
    path("<int:number>/pdf/", views.pdf, name="pdf"),
    path("<int:number>/wechat/", views.wechat, name="wechat"),
    path("articles/<int:pk>/", views.article, name="article"),
]
