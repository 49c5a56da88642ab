from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "civicgrid.dispatch"
    label = "dispatch"
    verbose_name = _("智能派单")

    def ready(self):
        from civicgrid.cases.models import Case
        from civicgrid.cases.signals import case_changed
        from civicgrid.dispatch.receivers import on_case_changed

        # A new report gets its suggestion, a filing records the desk's decision (receivers).
        case_changed.connect(on_case_changed, sender=Case, dispatch_uid="dispatch.case_changed")
