"""One FilterSet per list of the notices: the pages and the API use the same ones."""

import django_filters
from django.utils.translation import gettext_lazy as _

from civicgrid.core.forms import FilterForm
from civicgrid.notices.choices import NominationState, NoticeKind, NoticeState, ScopeLevel
from civicgrid.notices.models import Nomination, Notice


class NoticeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=NoticeState.choices, label=_("状态"))
    scope_level = django_filters.ChoiceFilter(choices=ScopeLevel.choices, label=_("范围"))
    grid = django_filters.NumberFilter(field_name="grid_id", label=_("所属网格"))
    relocation = django_filters.NumberFilter(field_name="relocation_id", label=_("征收项目"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("标题"))

    class Meta:
        form = FilterForm
        model = Notice
        fields = ["kind", "state", "scope_level", "grid", "relocation", "q"]


class NominationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=NominationState.choices, label=_("状态"))
    community = django_filters.NumberFilter(field_name="community_id", label=_("居村"))

    class Meta:
        form = FilterForm
        model = Nomination
        fields = ["state", "community"]
