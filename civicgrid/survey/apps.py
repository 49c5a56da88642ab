from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "civicgrid.survey"
    label = "survey"
    verbose_name = _("居民满意度测评")
