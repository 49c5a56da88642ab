from django.urls import path

from civicgrid.workcalendar.api import views

urlpatterns = [
    path("years/", views.CalendarYearList.as_view(), name="workcalendar-years"),
    path("days/", views.CalendarDayList.as_view(), name="workcalendar-days"),
    path("deadline/", views.DeadlineView.as_view(), name="workcalendar-deadline"),
]
