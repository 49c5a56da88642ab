from django.urls import path

from civicgrid.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.home, name="home"),
    path("waiting/", views.waiting, name="waiting"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/accept/", views.case_accept, name="case_accept"),
    path("cases/<str:number>/handle/", views.case_handle, name="case_handle"),
    path("cases/<str:number>/verify/", views.case_verify, name="case_verify"),
    path("report/", views.report, name="report"),
    path("patrols/", views.patrols, name="patrols"),
    path("patrols/plan/", views.patrol_plan, name="patrol_plan"),
    path("patrols/coverage/", views.patrol_coverage, name="patrol_coverage"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/points/", views.patrol_points, name="patrol_points"),
    path("patrols/<int:pk>/items/<int:item_id>/", views.patrol_item, name="patrol_item"),
    path("patrols/<int:pk>/finish/", views.patrol_finish, name="patrol_finish"),
    path("patrols/<int:pk>/rest-ok/", views.patrol_rest_ok, name="patrol_rest_ok"),
    path("findings/<int:pk>/case/", views.finding_case, name="finding_case"),
    path("findings/<int:pk>/photo/", views.finding_photo, name="finding_photo"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/summary/", views.visit_summary, name="visit_summary"),
    path("visits/coverage/", views.visit_coverage, name="visit_coverage"),
    path("visits/<int:pk>/case/", views.visit_case, name="visit_case"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/case/", views.follow_up_case, name="follow_up_case"),
    path("follow-ups/<int:pk>/hard/", views.follow_up_hard, name="follow_up_hard"),
    path("topics/", views.topics, name="topics"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("topics/<int:pk>/plan/", views.topic_plan, name="topic_plan"),
]
