"""One FilterSet for the list of projects: the pages and the API use the same one."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.projects.choices import ProjectKind, ProjectState
from civicgrid.projects.models import Idea, Project


class ProjectFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("征集"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices, label=_("项目类型"))
    state = django_filters.ChoiceFilter(choices=ProjectState.choices, label=_("状态"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("项目名称"))

    class Meta:
        form = FilterForm
        model = Project
        fields = ["campaign", "community", "kind", "state", "q"]


class IdeaFilter(django_filters.FilterSet):
    """Residents' ideas on the review page and the API: open (未处理), accepted or declined."""

    STATUS = [
        ("open", _("未处理")),
        ("accepted", _("已采纳")),
        ("declined", _("不采纳")),
    ]
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("征集"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))
    status = django_filters.ChoiceFilter(choices=STATUS, method="by_status", label=_("处理情况"))

    class Meta:
        form = FilterForm
        model = Idea
        fields = ["campaign", "community", "status"]

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(decision__isnull=True)
        return queryset.filter(decision__accepted=value == "accepted")
