from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SortingConfig(AppConfig):
    name = "civicgrid.sorting"
    label = "sorting"
    verbose_name = _("垃圾分类")

    def ready(self):
        # A 三会 meeting may concern a 居民公约 (meetings sits below: a hook).
        from civicgrid.meetings import subjects

        subjects.register("convention", _("居民公约"), _conventions)


def _conventions(user, query):
    from civicgrid.sorting.models import Convention
    from civicgrid.sorting.scoping import scope_by_community

    rows = scope_by_community(
        Convention.objects.select_related("estate"), user, "estate__community"
    )
    if query:
        rows = rows.filter(title__icontains=query) | rows.filter(estate__name__icontains=query)
    return rows.order_by("estate__name", "-version")
