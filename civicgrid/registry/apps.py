from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "civicgrid.registry"
    label = "registry"
    verbose_name = "实有人口与房屋"
