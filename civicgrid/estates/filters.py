"""One FilterSet per list of estates and property companies (the API and the admin)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.estates.choices import EstateClass, EstateKind
from civicgrid.estates.models import Estate, PropertyCompany


class EstateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    micro_grid = django_filters.CharFilter(
        field_name="micro_grids__code", label=_("微网格编码"), distinct=True
    )
    kind = django_filters.ChoiceFilter(choices=EstateKind.choices)
    estate_class = django_filters.ChoiceFilter(choices=EstateClass.choices)
    is_heritage = django_filters.BooleanFilter()
    property_company = django_filters.NumberFilter(field_name="property_company")

    class Meta:
        form = FilterForm
        model = Estate
        fields = ["q", "community", "micro_grid", "kind", "estate_class", "is_heritage"]


class PropertyCompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        form = FilterForm
        model = PropertyCompany
        fields = ["q"]
