from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo street: a seeded synthetic 镇 with its grid, staff, registries and logins."""

    name = "civicgrid.demo"
    label = "demo"
    verbose_name = "演示数据"
