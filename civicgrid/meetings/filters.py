"""One FilterSet per list of the 三会: the pages and the API use the same ones."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.meetings.choices import MeetingKind, MeetingState, TraineePost
from civicgrid.meetings.models import Meeting, TrainingRecord


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("会议类型"))
    state = django_filters.ChoiceFilter(choices=MeetingState.choices, label=_("状态"))
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    starts_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("召开日期起")
    )
    starts_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("召开日期止")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("议题或对象"))

    class Meta:
        form = FilterForm
        model = Meeting
        fields = ["kind", "state", "community"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(subject_title__icontains=value))


class TrainingFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__code", label=_("居村编码"))
    post = django_filters.ChoiceFilter(choices=TraineePost.choices, label=_("岗位"))
    passed = django_filters.BooleanFilter(label=_("考核通过"))

    class Meta:
        form = FilterForm
        model = TrainingRecord
        fields = ["community", "post", "passed"]
