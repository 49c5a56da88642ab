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

        # 社区项目's 牵头党组织: projects and party are siblings too; the organisations a user
        # may name as a project's lead are party's (active, in the user's scope).
        from civicgrid.party.forms import organisations_for
        from civicgrid.projects.services import use_party_organisations

        use_party_organisations(organisations_for)
