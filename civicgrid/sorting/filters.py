"""One FilterSet per list of the garbage-sorting ledger: the desk pages and the API use the same."""

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.grids.models import Grid
from civicgrid.sorting.choices import (
    EntryReason,
    PointKind,
    PointState,
    ShiftState,
    WasteCategory,
)
from civicgrid.sorting.models import (
    Convention,
    DropOffPoint,
    GuideShift,
    Inspection,
    Pledge,
    PointsEntry,
    Weighing,
)

SHIFT_STATUS = [
    ("unfilled", _("缺岗")),
    ("missed", _("漏岗")),
    *ShiftState.choices,
]


class PointFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("小区"))
    kind = django_filters.ChoiceFilter(choices=PointKind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=PointState.choices, label=_("状态"))

    class Meta:
        form = FilterForm
        model = DropOffPoint
        fields = ["q", "community", "estate", "kind", "state"]


class ShiftFilter(django_filters.FilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("起始日期"))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("结束日期"))
    point = django_filters.NumberFilter(field_name="point", label=_("投放点"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    status = django_filters.ChoiceFilter(choices=SHIFT_STATUS, method="by_status", label=_("状态"))

    class Meta:
        form = FilterForm
        model = GuideShift
        fields = ["day_from", "day_to", "point", "community", "status"]

    def by_status(self, queryset, name, value):
        now = timezone.localtime()
        over = Q(day__lt=now.date()) | Q(day=now.date(), end__lte=now.time())
        planned = Q(state=ShiftState.PLANNED)
        if value == "unfilled":
            return queryset.filter(planned, guide__isnull=True)
        if value == "missed":
            return queryset.filter(planned & over, guide__isnull=False)
        if value == ShiftState.PLANNED:
            return queryset.filter(planned, guide__isnull=False).exclude(over)
        return queryset.filter(state=value)


class WeighingFilter(django_filters.FilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("起始日期"))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("结束日期"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("小区"))
    unit = django_filters.NumberFilter(field_name="unit", label=_("单位"))
    category = django_filters.ChoiceFilter(choices=WasteCategory.choices, label=_("类别"))
    refused_mixed = django_filters.BooleanFilter(label=_("混装拒收"))

    class Meta:
        form = FilterForm
        model = Weighing
        fields = ["day_from", "day_to", "community", "estate", "unit", "category", "refused_mixed"]


class InspectionFilter(django_filters.FilterSet):
    day_from = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__gte", label=_("起始日期")
    )
    day_to = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__lte", label=_("结束日期")
    )
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("小区"))
    unit = django_filters.NumberFilter(field_name="unit", label=_("单位"))
    passed = django_filters.BooleanFilter(label=_("达标"))

    class Meta:
        form = FilterForm
        model = Inspection
        fields = ["day_from", "day_to", "community", "estate", "unit", "passed"]


class PledgeFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("小区"))
    signed_from = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label=_("起始日期")
    )
    signed_to = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label=_("结束日期")
    )

    class Meta:
        form = FilterForm
        model = Pledge
        fields = ["community", "estate", "signed_from", "signed_to"]


class ConventionFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    estate = django_filters.NumberFilter(field_name="estate", label=_("小区"))
    current = django_filters.BooleanFilter(method="by_current", label=_("仅现行版本"))

    class Meta:
        form = FilterForm
        model = Convention
        fields = ["community", "estate", "current"]

    def by_current(self, queryset, name, value):
        latest = Convention.objects.filter(estate=OuterRef("estate")).order_by("-version")
        newest = queryset.filter(version=Subquery(latest.values("version")[:1]))
        return newest if value else queryset.exclude(pk__in=newest.values("pk"))


class PointsEntryFilter(django_filters.FilterSet):
    """Over sorting.green.entries() (the household's side annotated)."""

    household = django_filters.NumberFilter(field_name="household_id", label=_("户"))
    community = django_filters.CharFilter(method="by_community", label=_("居村编码"))
    reason = django_filters.ChoiceFilter(choices=EntryReason.choices, label=_("事由"))
    day_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("起始日期")
    )
    day_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("结束日期")
    )

    class Meta:
        form = FilterForm
        model = PointsEntry
        fields = ["household", "community", "reason", "day_from", "day_to"]

    def by_community(self, queryset, name, value):
        return queryset.filter(place__in=Grid.objects.filter(code=value).values("pk"))
