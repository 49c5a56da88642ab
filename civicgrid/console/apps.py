"""The 城运中心 operators' console and the department handlers' inbox."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "civicgrid.console"
    label = "console"
    verbose_name = _("城运中心工作台")
