from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "civicgrid.campaigns"
    label = "campaigns"
    verbose_name = _("创建创评")
