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
        from civicgrid.fieldwork.coverage import dashboard_tile

        tiles.register("patrol", dashboard_tile)
