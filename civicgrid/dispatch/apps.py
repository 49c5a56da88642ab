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

        from django.db.models.signals import post_delete, post_save

        from civicgrid.dispatch.models import TrainedModel
        from civicgrid.dispatch.receivers import on_model_changed

        # A model row saved or deleted (admin, a retraining) may change whether one is active.
        for signal in (post_save, post_delete):
            signal.connect(on_model_changed, sender=TrainedModel, dispatch_uid="dispatch.model")

    def warm_worker(self):
        from civicgrid.dispatch.services import warm

        warm()
