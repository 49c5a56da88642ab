from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    name = "civicgrid.proactive"
    label = "proactive"
    verbose_name = _("主动治理")

    def ready(self):
        # 未诉先办 kept per case on every step (cases may not import proactive: it listens).
        from django.db.models.signals import post_migrate

        from civicgrid.cases.models import Case
        from civicgrid.cases.signals import case_changed
        from civicgrid.proactive import first

        uid = "proactive.first"
        case_changed.connect(first.on_case_changed, sender=Case, dispatch_uid=uid)
        post_migrate.connect(first.rebuild_if_empty, sender=self, dispatch_uid=uid)
