from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "civicgrid.shops"
    label = "shops"
    verbose_name = _("沿街商铺与门责")
