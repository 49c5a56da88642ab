from django.urls import path

from civicgrid.shops import views

app_name = "shops"

urlpatterns = [
    path("", views.index, name="index"),
    path("blocks/<int:pk>/", views.block_detail, name="block"),
    path("<int:pk>/", views.shop_detail, name="shop"),
    path("<int:pk>/inspect/", views.inspect, name="inspect"),
    path("walk/", views.walk, name="walk"),
    path("walk/<int:pk>/", views.walk_block, name="walk_block"),
]
