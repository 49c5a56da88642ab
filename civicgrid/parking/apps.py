from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParkingConfig(AppConfig):
    name = "civicgrid.parking"
    label = "parking"
    verbose_name = _("错峰共享停车")
