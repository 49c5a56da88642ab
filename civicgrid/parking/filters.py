"""One FilterSet per list of shared parking: the pages and the API use the same ones."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.parking.choices import BookingState, SpaceKind
from civicgrid.parking.models import Booking, CongestionReport, Offer, Space


class SpaceFilter(django_filters.FilterSet):
    estate = django_filters.NumberFilter(field_name="estate_id", label=_("小区"))
    kind = django_filters.ChoiceFilter(choices=SpaceKind.choices, label=_("车位类型"))
    unit = django_filters.CharFilter(
        field_name="unit_name", lookup_expr="icontains", label=_("外部单位")
    )

    class Meta:
        form = FilterForm
        model = Space
        fields = ["estate", "kind", "unit", "is_active"]


class OfferFilter(django_filters.FilterSet):
    space = django_filters.NumberFilter(field_name="space_id", label=_("车位"))
    estate = django_filters.NumberFilter(field_name="estates", label=_("可预约小区"))
    on = django_filters.DateFilter(method="filter_on", label=_("日期"))

    class Meta:
        form = FilterForm
        model = Offer
        fields = ["space", "estate", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(first_day__lte=value, last_day__gte=value, withdrawn_at__isnull=True)


class BookingFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=BookingState.choices, label=_("状态"))
    space = django_filters.NumberFilter(field_name="space_id", label=_("车位"))
    estate = django_filters.NumberFilter(field_name="space__estate_id", label=_("车位所在小区"))
    since = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("开始日期起")
    )
    until = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("开始日期止")
    )

    class Meta:
        form = FilterForm
        model = Booking
        fields = ["state", "space", "estate", "since", "until"]


class CongestionFilter(django_filters.FilterSet):
    estate = django_filters.NumberFilter(field_name="estate_id", label=_("小区"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("日期起"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("日期止"))

    class Meta:
        form = FilterForm
        model = CongestionReport
        fields = ["estate", "since", "until"]
