from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = "事件闭环"

    def ready(self):
        from civicgrid.cases import category_cache

        category_cache.connect()
