from django.urls import path

from civicgrid.console import desk, export, history, maps, printing, views
from civicgrid.duty import views as duty_views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("dispatch/", views.bulk_dispatch, name="bulk-dispatch"),
    path("filing/", desk.bulk_filing, name="bulk-filing"),
    path("new/", desk.new_case, name="new-case"),
    path("inbox/", views.inbox, name="inbox"),
    path("export.xlsx", export.export_queue, name="export"),
    path("map/", maps.case_map, name="map"),
    path("map/cases.json", maps.case_map_data, name="map-data"),
    path("history/", history.history, name="history"),
    path("history/export.xlsx", history.history_export, name="history-export"),
    path("case/<str:number>/", views.case_detail, name="case"),
    path("case/<str:number>/print/", printing.case_print, name="print"),
    path("case/<str:number>/map.png", printing.case_map_png, name="case-map"),
    path("case/<str:number>/reveal-phone/", views.reveal_phone, name="reveal-phone"),
    path("case/<str:number>/do/<str:action>/", views.case_action, name="action"),
    path("case/<str:number>/merge/", desk.merge_confirm, name="merge-confirm"),
    # 督办 belongs to the duty app (above cases); its forms sit on the case page.
    path("case/<str:number>/supervise/", duty_views.supervise, name="supervise"),
    path(
        "case/<str:number>/supervision/<int:pk>/answer/",
        duty_views.answer_supervision,
        name="answer-supervision",
    ),
]
