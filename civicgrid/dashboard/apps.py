"""The city-operations dashboard (大屏) and leaders' pages, fed by rollups."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "civicgrid.dashboard"
    label = "dashboard"
    verbose_name = _("城运大屏")
