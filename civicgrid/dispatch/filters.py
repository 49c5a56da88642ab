import django_filters

from civicgrid.core.forms import FilterForm
from civicgrid.dispatch.models import Responsibility


class ResponsibilityFilter(django_filters.FilterSet):
    """The 权责清单's one filter set (API list)."""

    class Meta:
        model = Responsibility
        fields = ["category", "area", "department"]
        form = FilterForm
