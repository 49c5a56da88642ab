from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "civicgrid.emergency"
    label = "emergency"
    verbose_name = _("防汛应急")

    def ready(self):
        # cases may not import this app (layers): while a response is active, 积水 cases get the
        # short deadlines through the rule registry cases exposes.
        from civicgrid.cases.services.clocks import register_deadline_rule
        from civicgrid.dashboard import tiles
        from civicgrid.emergency.services import flooding_deadline, tile

        register_deadline_rule(flooding_deadline)
        # A response is the street's news: the big screen shows it too.
        tiles.register("emergency", tile, on_screen=True)
