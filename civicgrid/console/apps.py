"""The 城运中心 operators' console and the department handlers' inbox."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "civicgrid.console"
    label = "console"
    verbose_name = _("城运中心工作台")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from civicgrid.accounts.models import Department
        from civicgrid.cases.models import CallIn, Case, Category, CoHandling, ExtensionRequest
        from civicgrid.cases.signals import case_changed
        from civicgrid.console.queries import on_case_changed, on_options_changed
        from civicgrid.duty.models import Supervision
        from civicgrid.grids.models import Grid

        # The queues' tab counts are cached until what they count changes (console.queries).
        case_changed.connect(on_case_changed, sender=Case, dispatch_uid="console.counts")
        for model in (Case, CallIn, CoHandling, ExtensionRequest, Supervision):
            for signal in (post_save, post_delete):
                signal.connect(
                    on_case_changed, sender=model, dispatch_uid=f"console.counts.{model.__name__}"
                )
        # The filter's options are cached until a grid, a category or a department changes.
        for model in (Grid, Category, Department):
            for signal in (post_save, post_delete):
                signal.connect(
                    on_options_changed,
                    sender=model,
                    dispatch_uid=f"console.options.{model.__name__}",
                )
