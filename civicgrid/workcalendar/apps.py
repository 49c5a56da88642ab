from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalendarConfig(AppConfig):
    name = "civicgrid.workcalendar"
    label = "workcalendar"
    verbose_name = _("工作日历")

    def ready(self):
        from civicgrid.workcalendar import checks  # noqa: F401
