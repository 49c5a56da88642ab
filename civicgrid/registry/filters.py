"""django-filter filtersets for the registry API (grid filters take grid codes)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.registry.choices import CareTag, DwellingUse, Tenure
from civicgrid.registry.models import Address, Household, Resident


def care_tag_q(queryset, field, value):
    # care_tags is a JSON list; matching the quoted token in its text form works on SQLite and
    # PostgreSQL alike (JSON `contains` is not available on SQLite).
    if not value:
        return queryset
    return queryset.filter(**{f"{field}__icontains": f'"{value}"'})


class _GridCodeFilters(django_filters.FilterSet):
    """Filters by grid code at any level, through the address's building group path."""

    grid = django_filters.CharFilter(method="filter_grid", label=_("网格编码（任意层级）"))

    address_prefix = ""

    def filter_grid(self, queryset, name, value):
        return queryset.filter(
            **{f"{self.address_prefix}building_group__path__contains": f"/{value}/"}
        )


class AddressFilter(_GridCodeFilters):
    q = django_filters.CharFilter(field_name="normalized", lookup_expr="icontains", label=_("地址"))

    class Meta:
        form = FilterForm
        model = Address
        fields = ["road", "lane", "number", "estate"]


class HouseholdFilter(_GridCodeFilters):
    address_prefix = "address__"
    tenure = django_filters.ChoiceFilter(choices=Tenure.choices)
    use = django_filters.ChoiceFilter(choices=DwellingUse.choices)
    estate = django_filters.NumberFilter(field_name="address__estate", label=_("小区"))
    address = django_filters.CharFilter(
        field_name="address__normalized", lookup_expr="icontains", label=_("地址")
    )

    class Meta:
        form = FilterForm
        model = Household
        fields = ["tenure", "use", "household_number"]


class ResidentFilter(_GridCodeFilters):
    address_prefix = "household__address__"
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("姓名"))
    address = django_filters.CharFilter(
        field_name="household__address__normalized", lookup_expr="icontains", label=_("地址")
    )
    care_tag = django_filters.ChoiceFilter(
        choices=CareTag.choices, method="filter_care_tag", label=_("关爱标签")
    )

    class Meta:
        form = FilterForm
        model = Resident
        fields = ["household", "gender", "is_registered", "lives_here", "id_type"]

    def filter_care_tag(self, queryset, name, value):
        return care_tag_q(queryset, "care_tags", value)
