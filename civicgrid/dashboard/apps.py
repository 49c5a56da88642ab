"""The city-operations dashboard (大屏) and leaders' pages, fed by rollups."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "civicgrid.dashboard"
    label = "dashboard"
    verbose_name = _("城运大屏")

    def ready(self):
        # Every step of a case (cases.signals.case_changed) adds the change of its contribution
        # to the rollups.
        from django.db.models.signals import post_migrate

        from civicgrid.dashboard import rollups

        rollups.connect()
        # The rental houses' 三色码 tile (civicgrid.firesafety sits below the dashboard).
        from civicgrid.dashboard import tiles
        from civicgrid.firesafety.services import dashboard_tile as firesafety_tile

        tiles.register("firesafety", firesafety_tile)
        # Shared parking's tile (civicgrid.parking sits below the dashboard too).
        from civicgrid.parking.reports import dashboard_tile as parking_tile

        tiles.register("parking", parking_tile)
        # 三会 (hearings, coordination, evaluation; 基层评议 of departments and 物业).
        from civicgrid.meetings.services import dashboard_tile as meetings_tile

        tiles.register("meetings", meetings_tile)
        # Community projects' tile (civicgrid.projects sits below the dashboard too).
        from civicgrid.projects.services import dashboard_tile as projects_tile

        tiles.register("projects", projects_tile)
        # 爱心银行's tile (civicgrid.timebank sits below the dashboard too).
        from civicgrid.timebank.reports import dashboard_tile as timebank_tile

        tiles.register("timebank", timebank_tile)
        # 主动治理: the hotspot map, 一弄一案 and the share found first (civicgrid.proactive).
        from civicgrid.proactive.reports import dashboard_tile as proactive_tile

        tiles.register("proactive", proactive_tile)
        # 党建引领: party organisations' coverage and 三会一课 (civicgrid.party, below us).
        from civicgrid.party.services import dashboard_tile as party_tile

        tiles.register("party", party_tile)
        # 创建创评: readiness round by round of the active campaign (civicgrid.campaigns, below us).
        from civicgrid.campaigns.services import dashboard_tile as campaigns_tile

        tiles.register("campaigns", campaigns_tile)
        post_migrate.connect(rollups.rebuild_after_migration, sender=self)
