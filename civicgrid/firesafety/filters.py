"""One FilterSet per list of the rental houses: the battle map's page and the API use the same."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.firesafety.choices import Colour
from civicgrid.firesafety.models import Inspection, RentalHouse
from civicgrid.firesafety.services import communities_in_scope, overdue_q
from civicgrid.grids.models import Grid

COLOUR_CHOICES = [*Colour.choices, ("unrated", _("未评定"))]


class HouseFilter(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(
        queryset=Grid.objects.none(), label=_("居村"), field_name="community"
    )
    colour = django_filters.ChoiceFilter(
        choices=COLOUR_CHOICES, method="filter_colour", label=_("三色码")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"))
    q = django_filters.CharFilter(method="filter_q", label=_("地址"))

    class Meta:
        form = FilterForm
        model = RentalHouse
        fields = ["community", "colour", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        # Only the 居村 the user may see are offered (and accepted).
        self.filters["community"].queryset = communities_in_scope(user)

    def filter_colour(self, queryset, name, value):
        return queryset.filter(colour="" if value == "unrated" else value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(household__address__normalized__icontains=value) | Q(community__name__icontains=value)
        )


class InspectionFilter(django_filters.FilterSet):
    house = django_filters.NumberFilter(field_name="house_id", label=_("出租屋"))
    colour = django_filters.ChoiceFilter(choices=Colour.choices, label=_("评定"))
    since = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__gte", label=_("检查日期起")
    )
    until = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__lte", label=_("检查日期止")
    )

    class Meta:
        form = FilterForm
        model = Inspection
        fields = ["house", "colour"]
