from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "civicgrid.duty"
    label = "duty"
    verbose_name = _("值班与督办")

    def ready(self):
        # cases sits below this app: it learns who approves now (the on-duty 值班长) and counts
        # 督办件 in its indicators through the hooks handed over here.
        from civicgrid.cases.indicators import register_count
        from civicgrid.cases.notifications import use_approvers
        from civicgrid.duty.services import approver_recipients, supervised_counts

        use_approvers(approver_recipients)
        register_count("supervised", supervised_counts)
