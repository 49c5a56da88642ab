"""Grid workers' phone pages: my grids and tasks, reporting, patrols (巡块) and household visits (走访)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "civicgrid.fieldwork"
    label = "fieldwork"
    verbose_name = _("网格员移动端")

    def ready(self):
        # The dashboard shows patrol coverage (巡查覆盖率) without importing this app.
        from civicgrid.dashboard import tiles
        from civicgrid.fieldwork.coverage import dashboard_tile, patrol_workers
        from civicgrid.grids.services import register_work_source

        tiles.register("patrol", dashboard_tile, on_screen=True)
        # A split of a 居委 moves the cadres whose 巡块责任区 all leave with it.
        register_work_source(patrol_workers)
