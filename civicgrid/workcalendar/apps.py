from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "civicgrid.workcalendar"
    label = "workcalendar"
    verbose_name = "工作日历"

    def ready(self):
        from civicgrid.workcalendar import checks  # noqa: F401
