from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = "核心"
