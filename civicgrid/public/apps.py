"""Residents' pages: report a problem, follow it, rate it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "civicgrid.public"
    label = "public"
    verbose_name = _("居民服务")
