from django.urls import path

from civicgrid.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_form, name="new"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/edit/", views.campaign_form, name="edit"),
    path("<int:pk>/items/new/", views.item_form, name="new_item"),
    path("<int:pk>/items/<int:item_pk>/", views.item_form, name="item"),
    path("<int:pk>/actions/new/", views.action_form, name="new_action"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_form, name="action"),
    path("<int:pk>/checkpoints/new/", views.checkpoint_form, name="new_checkpoint"),
    path("<int:pk>/checkpoints/<int:checkpoint_pk>/", views.checkpoint_form, name="checkpoint"),
    path(
        "<int:pk>/checkpoints/<int:checkpoint_pk>/active/",
        views.checkpoint_active,
        name="checkpoint_active",
    ),
    path("<int:pk>/report/", views.readiness_report, name="report"),
    path("<int:pk>/plan/", views.plan_round, name="plan_round"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/close/", views.close_round, name="close_round"),
    path("rounds/<int:pk>/assign/", views.assign, name="assign"),
    path("plans/<int:pk>/done/", views.plan_done, name="plan_done"),
    path("structures/", views.structures, name="structures"),
    path("structures/new/", views.structure_form, name="new_structure"),
    path("structures/status/", views.creation_status, name="creation"),
    path("structures/<int:pk>/", views.structure_detail, name="structure"),
    path("structures/<int:pk>/move/", views.move_structure, name="move_structure"),
    path("structures/photos/<int:pk>/", views.structure_photo, name="structure_photo"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("m/", views.my_round, name="my_round"),
    path("m/a/<int:pk>/", views.inspect, name="inspect"),
]
