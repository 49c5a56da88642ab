"""One FilterSet per list of flood duty: the pages and the API use the same."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.emergency.choices import (
    EmergencyKind,
    Level,
    PointKind,
    ResponseState,
    Risk,
    TaskKind,
    TaskState,
)
from civicgrid.emergency.models import FloodPoint, FloodReport, Response, Task


class PointFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PointKind.choices, label=_("类型"))
    risk = django_filters.ChoiceFilter(choices=Risk.choices, label=_("积水风险"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称或位置"))

    class Meta:
        form = FilterForm
        model = FloodPoint
        fields = ["kind", "risk"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))


class ResponseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EmergencyKind.choices, label=_("种类"))
    state = django_filters.ChoiceFilter(choices=ResponseState.choices, label=_("状态"))
    highest_level = django_filters.ChoiceFilter(choices=Level.choices, label=_("最高等级"))

    class Meta:
        form = FilterForm
        model = Response
        fields = ["kind", "state", "highest_level"]


class TaskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=TaskState.choices, label=_("状态"))
    response = django_filters.NumberFilter(
        field_name="response_id", label=_("应急响应"), min_value=1, max_value=2**31 - 1
    )

    class Meta:
        form = FilterForm
        model = Task
        fields = ["kind", "state", "response"]


class ReportFilter(django_filters.FilterSet):
    response = django_filters.NumberFilter(
        field_name="response_id", label=_("应急响应"), min_value=1, max_value=2**31 - 1
    )
    point = django_filters.NumberFilter(
        field_name="point_id", label=_("易积水点"), min_value=1, max_value=2**31 - 1
    )

    class Meta:
        form = FilterForm
        model = FloodReport
        fields = ["response", "point"]
