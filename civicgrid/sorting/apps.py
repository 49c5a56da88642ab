from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SortingConfig(AppConfig):
    name = "civicgrid.sorting"
    label = "sorting"
    verbose_name = _("垃圾分类")
