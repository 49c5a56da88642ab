from django.urls import path

from civicgrid.emergency import views

app_name = "emergency"

urlpatterns = [
    path("", views.index, name="index"),
    path("points/<int:pk>/", views.point, name="point"),
    path("points/new/", views.point_form, name="point_new"),
    path("points/<int:pk>/edit/", views.point_form, name="point_edit"),
    path("points/<int:pk>/active/", views.point_active, name="point_active"),
    path("points/<int:pk>/contacts/", views.add_contact, name="add_contact"),
    path(
        "points/<int:pk>/contacts/<int:contact_id>/remove/",
        views.remove_contact,
        name="remove_contact",
    ),
    path(
        "points/<int:pk>/contacts/<int:contact_id>/phone/",
        views.reveal_phone,
        name="reveal_phone",
    ),
    path("points/<int:pk>/works/", views.add_work, name="add_work"),
    path("points/<int:pk>/works/<int:work_id>/state/", views.change_work, name="change_work"),
    path("stores/new/", views.store_new, name="store_new"),
    path("stores/<int:pk>/", views.store, name="store"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<str:kind>/", views.plan, name="plan"),
    path("raise/", views.raise_level, name="raise"),
    path("responses/<int:pk>/", views.response, name="response"),
    path("responses/<int:pk>/level/", views.change_level, name="change_level"),
    path("responses/<int:pk>/lift/", views.lift, name="lift"),
    path("responses/<int:pk>/evacuation/", views.evacuate, name="evacuate"),
    path("responses/<int:pk>/notice/", views.draft_notice, name="draft_notice"),
    path("stores/<int:store_id>/move/", views.move_stock, name="move_stock"),
    path("drills/new/", views.record_drill, name="record_drill"),
    path("drills/<int:pk>/", views.drill, name="drill"),
    path("drills/<int:pk>/findings/", views.add_finding, name="add_finding"),
    # The live board (the console's banner and the big screen link here).
    path("board/", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("banner/", views.banner, name="banner"),
    # Phone pages (360 px): my tasks, report a flooded point, the pumps.
    path("m/", views.my_tasks, name="my_tasks"),
    path("m/tasks/<int:pk>/done/", views.complete_task, name="complete_task"),
    path("m/report/", views.report_flooding, name="report"),
    path("m/pumps/", views.pumps, name="pumps"),
    path("m/pumps/<int:pk>/", views.switch_pump, name="switch_pump"),
]
