from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "civicgrid.timebank"
    label = "timebank"
    verbose_name = _("爱心银行")
