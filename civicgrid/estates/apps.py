from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "civicgrid.estates"
    label = "estates"
    verbose_name = _("小区与物业")

    def ready(self):
        # The registry fills Address.estate when an address is created; it cannot import this
        # app (it sits below it), so the matcher is handed to it here.
        from civicgrid.estates.services import match_estate
        from civicgrid.registry.services import use_estate_matcher

        use_estate_matcher(match_estate)
