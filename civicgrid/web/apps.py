"""The web front's shared frame: base pages, login, role home, map and chart helpers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = _("网页前台")

    def ready(self):
        # 公示公告's dashboard tile: civicgrid.notices sits beside the dashboard (same layer, so
        # neither imports the other); the front above both plugs it in.
        from civicgrid.dashboard import tiles
        from civicgrid.notices.services import dashboard_tile as notices_tile

        tiles.register("notices", notices_tile)
