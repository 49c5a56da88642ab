from django.urls import path

from civicgrid.console import views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("dispatch/", views.bulk_dispatch, name="bulk-dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("case/<str:number>/", views.case_detail, name="case"),
    path("case/<str:number>/reveal-phone/", views.reveal_phone, name="reveal-phone"),
    path("case/<str:number>/do/<str:action>/", views.case_action, name="action"),
]
