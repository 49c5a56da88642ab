"""One FilterSet per list of proactive governance: the staff page and the API use the same ones."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.proactive.choices import PlaceKind, ProblemState, TaskOrigin, TaskState, Trend
from civicgrid.proactive.models import Anomaly, HotspotCell, PatrolTask, StandingProblem


class ProblemFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ProblemState.choices, label=_("状态"))
    place_kind = django_filters.ChoiceFilter(choices=PlaceKind.choices, label=_("地点层级"))
    micro_grid = django_filters.NumberFilter(field_name="micro_grid_id", label=_("微网格"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("类别"))

    class Meta:
        form = FilterForm
        model = StandingProblem
        fields = ["state", "place_kind", "micro_grid", "category"]


class HotspotFilter(django_filters.FilterSet):
    trend = django_filters.ChoiceFilter(choices=Trend.choices[:-1], label=_("趋势"))
    is_hot = django_filters.BooleanFilter(label=_("热点"))
    micro_grid = django_filters.NumberFilter(field_name="micro_grid_id", label=_("微网格"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("类别"))
    period_end = django_filters.DateFilter(label=_("周期结束"))

    class Meta:
        form = FilterForm
        model = HotspotCell
        fields = ["trend", "is_hot", "micro_grid", "category", "period_end"]


class AnomalyFilter(django_filters.FilterSet):
    micro_grid = django_filters.NumberFilter(field_name="micro_grid_id", label=_("微网格"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("类别"))
    after = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("开始日期"))
    before = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("结束日期"))

    class Meta:
        form = FilterForm
        model = Anomaly
        fields = ["micro_grid", "category", "after", "before"]


class TaskFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=TaskState.choices, label=_("状态"))
    origin = django_filters.ChoiceFilter(choices=TaskOrigin.choices, label=_("来由"))
    micro_grid = django_filters.NumberFilter(field_name="micro_grid_id", label=_("微网格"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("网格员"))

    class Meta:
        form = FilterForm
        model = PatrolTask
        fields = ["state", "origin", "micro_grid", "assignee"]
