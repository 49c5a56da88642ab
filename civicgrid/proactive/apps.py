from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "civicgrid.proactive"
    label = "proactive"
    verbose_name = _("主动治理")
