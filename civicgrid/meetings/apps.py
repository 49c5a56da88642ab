from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "civicgrid.meetings"
    label = "meetings"
    verbose_name = _("三会制度")

    def ready(self):
        from civicgrid.meetings import subjects

        subjects.register_builtins()
