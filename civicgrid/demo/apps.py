from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo street: a seeded synthetic 镇 with its grid, staff, registries and logins."""

    name = "civicgrid.demo"
    label = "demo"
    verbose_name = _("演示数据")
