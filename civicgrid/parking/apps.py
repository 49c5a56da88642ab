from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParkingConfig(AppConfig):
    name = "civicgrid.parking"
    label = "parking"
    verbose_name = _("错峰共享停车")

    def ready(self):
        # A 三会 coordination meeting may concern a parking rule (meetings sits below: a hook).
        from civicgrid.meetings import subjects

        subjects.register("parking_rules", _("停车共享规则"), _rule_sets)


def _rule_sets(user, query):
    from civicgrid.parking.models import RuleSet
    from civicgrid.parking.scoping import scope_rows

    rows = scope_rows(RuleSet.objects.select_related("estate"), user, "estate__community")
    if query:
        rows = rows.filter(estate__name__icontains=query)
    return rows.order_by("estate__name", "-version")
