"""One FilterSet per list of the time bank: the staff page and the API use the same ones."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.timebank.choices import ProjectKind, RecordState, RequestState
from civicgrid.timebank.models import HelpRequest, ServiceRecord, Volunteer


class RecordFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RecordState.choices, label=_("状态"))
    project = django_filters.NumberFilter(field_name="project_id", label=_("项目"))
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label=_("志愿者"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))
    after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label=_("开始日期")
    )
    before = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label=_("结束日期")
    )

    class Meta:
        form = FilterForm
        model = ServiceRecord
        fields = ["state", "project", "volunteer", "community", "after", "before"]


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RequestState.choices, label=_("状态"))
    project = django_filters.NumberFilter(field_name="project_id", label=_("项目"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))

    class Meta:
        form = FilterForm
        model = HelpRequest
        fields = ["state", "project", "community"]


class VolunteerFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))
    team = django_filters.NumberFilter(field_name="team_id", label=_("队伍"))
    double_report = django_filters.BooleanFilter(label=_("双报到"))
    skill = django_filters.CharFilter(method="filter_skill", label=_("技能"))
    kind = django_filters.ChoiceFilter(
        choices=ProjectKind.choices, method="filter_kind", label=_("服务过的项目类别")
    )

    class Meta:
        form = FilterForm
        model = Volunteer
        fields = ["community", "team", "double_report", "is_active"]

    def filter_skill(self, queryset, name, value):
        return queryset.filter(skills__icontains=value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(records__project__kind=value).distinct()
