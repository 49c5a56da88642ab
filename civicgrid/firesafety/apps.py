from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiresafetyConfig(AppConfig):
    name = "civicgrid.firesafety"
    label = "firesafety"
    verbose_name = _("出租屋消防三色码")
