from django.urls import path

from civicgrid.console import views
from civicgrid.duty import views as duty_views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("dispatch/", views.bulk_dispatch, name="bulk-dispatch"),
    path("inbox/", views.inbox, name="inbox"),
    path("case/<str:number>/", views.case_detail, name="case"),
    path("case/<str:number>/reveal-phone/", views.reveal_phone, name="reveal-phone"),
    path("case/<str:number>/do/<str:action>/", views.case_action, name="action"),
    # 督办 belongs to the duty app (above cases); its forms sit on the case page.
    path("case/<str:number>/supervise/", duty_views.supervise, name="supervise"),
    path(
        "case/<str:number>/supervision/<int:pk>/answer/",
        duty_views.answer_supervision,
        name="answer-supervision",
    ),
]
