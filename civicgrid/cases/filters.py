"""Filters of the case list (`?status=filed&category=12&source=hotline_12345&overdue=true`)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import CaseSource, CaseStatus, WarningLevel
from civicgrid.cases.models import Case


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=CaseSource.choices)
    category = django_filters.NumberFilter(label=_("类别"), field_name="category_id")
    micro_grid = django_filters.CharFilter(label=_("微网格编码"), field_name="micro_grid__code")
    department = django_filters.NumberFilter(
        label=_("处置部门"), field_name="assigned_department_id"
    )
    needs_manual_location = django_filters.BooleanFilter(label=_("待人工定位"))
    warning = django_filters.ChoiceFilter(
        label=_("预警"),
        field_name="warning_level",
        choices=[(v, label) for v, label in WarningLevel.choices if v],
    )
    overdue = django_filters.BooleanFilter(label=_("超期未处置"), method="filter_overdue")
    reported_after = django_filters.IsoDateTimeFilter(
        label=_("上报时间起"), field_name="reported_at", lookup_expr="gte"
    )
    reported_before = django_filters.IsoDateTimeFilter(
        label=_("上报时间止"), field_name="reported_at", lookup_expr="lt"
    )

    class Meta:
        model = Case
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(
            handled_at__isnull=True,
            handling_deadline__lt=timezone.now(),
            status__in=[CaseStatus.DISPATCHED, CaseStatus.ACCEPTED],
        )
        return queryset.filter(condition) if value else queryset.exclude(condition)
